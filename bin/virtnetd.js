#!/usr/bin/env node
import '../dist/virtnetd.js';
