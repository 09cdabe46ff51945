/**
 * Where libvirt's test corpus is read from at test time (never copied):
 * $VIRTNET_CONFORMANCE_DIR, else ../shared/conformance/libvirt beside the
 * checkout, as scripts/test-all.mjs and `npm run conformance` look for it.
 */
import { resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');

export const CORPUS_DIR = resolve(REPO, process.env['VIRTNET_CONFORMANCE_DIR'] ?? '../shared/conformance/libvirt');
