#!/usr/bin/env node
import '../dist/virtnet.js';
