/**
 * vitest's global set-up: dist/libxml2.cjs, which src/xml/libxml2.ts evaluates for each libxml2
 * instance, made when a test run starts without a build (or with an older libxml2-wasm than the
 * installed one).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bundleLibxml2 } from '../../scripts/bundle-libxml2.mjs';

export default async function setup(): Promise<void> {
  const out = join(process.cwd(), 'dist', 'libxml2.cjs');
  const installed = join(process.cwd(), 'node_modules', 'libxml2-wasm', 'package.json');
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(installed).mtimeMs) return;
  await bundleLibxml2(out);
}
