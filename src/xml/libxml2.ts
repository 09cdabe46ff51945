/**
 * libxml2 (libxml2-wasm) made when a call needs it and let go once idle, so
 * an idle daemon holds none of it: no wasm instance, memory or compiled code,
 * no copy of its module. Each instance is a new evaluation of dist/libxml2.cjs
 * (scripts/bundle-libxml2.mjs), made synchronously. What is made with one
 * instance (documents, compiled schemas) works only with that instance:
 * callers use it within a call, or keep it with its `generation` and make it
 * again when that changed.
 */
import { existsSync } from 'node:fs';
import { createRequire as requireAt } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { internalError } from '../util/errors.js';

export type Libxml2 = typeof import('libxml2-wasm');

/** How long libxml2 is kept after its last use. */
const IDLE_MS = 10_000;

const BUNDLE = 'libxml2.cjs';

let current: Libxml2 | undefined;
let currentPath: string | undefined;
let lastUse = 0;
let timer: NodeJS.Timeout | undefined;
let made = 0;

/** dist/libxml2.cjs: beside this module in the bundles (dist/), else in the nearest ancestor's dist/. */
function bundlePath(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, BUNDLE), join(dir, 'dist', BUNDLE)]) if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw internalError(`cannot find dist/${BUNDLE} above ${start}: run 'npm run build'`);
}

function releaseWhenIdle(): void {
  const wait = lastUse + IDLE_MS - Date.now();
  if (wait > 0) {
    timer = setTimeout(releaseWhenIdle, wait);
    timer.unref();
    return;
  }
  releaseLibxml2();
}

/** The libxml2 to use now, made if there is none. */
export function libxml2(): Libxml2 {
  lastUse = Date.now();
  if (current === undefined) {
    const path = bundlePath();
    const require = requireAt(path);
    delete require.cache[path];
    current = require(path) as Libxml2;
    currentPath = path;
    made++;
    timer = setTimeout(releaseWhenIdle, IDLE_MS);
    timer.unref();
  }
  return current;
}

/** Let the current libxml2 go (what being idle does; tests call it directly). */
export function releaseLibxml2(): void {
  clearTimeout(timer);
  timer = undefined;
  if (currentPath !== undefined) delete requireAt(currentPath).cache[currentPath];
  current = undefined;
  currentPath = undefined;
}

/** Whether an instance is held now, and how many were made so far (the latest one's generation). */
export function libxml2State(): { loaded: boolean; generation: number } {
  return { loaded: current !== undefined, generation: made };
}
