import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directories a file the build compiles (virtnet-zygote.so, virtnet-pageout, the addons) is looked for in:
 * beside this bundle (dist/) and, run from source, the repository's dist/.
 */
export function builtFileDirs(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  return [here, resolve(here, '../../dist')];
}

/** Where a file the build compiles is: its path, switched off (its variable set empty), or missing and why. */
export type BuiltFileLookup = { path: string } | { off: true } | { missing: string };

/**
 * The built file `name` virtnet uses: the one `envVar` names when set (empty: none), else `name` in one
 * of `dirs` (where the build puts it).
 */
export function findBuiltFile(name: string, envVar: string, env: NodeJS.ProcessEnv, dirs: readonly string[]): BuiltFileLookup {
  const fromEnv = env[envVar];
  if (fromEnv === '') return { off: true };
  if (fromEnv !== undefined) {
    const path = resolve(fromEnv);
    return existsSync(path) ? { path } : { missing: `${envVar} names ${path}, which does not exist` };
  }
  const path = dirs.map((d) => join(d, name)).find((p) => existsSync(p));
  return path !== undefined ? { path } : { missing: `${name} was not built (npm run build makes it with a C compiler, cc or $CC)` };
}

/** A function of a Node-API addon the build compiles: the function, switched off, or why there is none. */
export type AddonFunction<F> = { fn: F } | { off: true } | { none: string };

/**
 * Function `name` of the addon `found` (loaded with process.dlopen). One built for another machine or
 * Node-API version does not load: that is said, not thrown.
 */
export function loadAddonFunction<F>(found: BuiltFileLookup, name: string): AddonFunction<F> {
  if ('off' in found) return found;
  if ('missing' in found) return { none: found.missing };
  const mod: { exports: Record<string, unknown> } = { exports: {} };
  try {
    process.dlopen(mod, found.path);
  } catch (err) {
    return { none: `cannot load ${found.path}: ${err instanceof Error ? err.message : String(err)}` };
  }
  const fn = mod.exports[name];
  return typeof fn === 'function' ? { fn: fn as F } : { none: `${found.path} has no ${name}()` };
}
