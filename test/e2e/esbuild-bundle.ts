/**
 * One entry point of virtnet bundled for end-to-end tests, as
 * scripts/build.mjs bundles it: the daemon ESM for Node 20, libxml2-wasm left
 * external, `require` provided by a banner; the CLI through
 * scripts/bundle-cli.mjs itself (CommonJS, run as a plain file here). Each bundle goes to its own
 * private folder under node_modules/.cache, so a stale dist/ never hides a
 * change and parallel test files never race on one file. The CLI harness
 * (cli-harness.ts) and the daemon harness (daemon-process.ts) each keep one; the daemon's
 * folder also gets virtnet-zygote.so, virtnet-pageout and virtnet-read-advice.node, compiled as the build compiles them.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildPageout, buildReadAdvice, buildUnixRequest, buildZygote } from '../../scripts/build-native.mjs';
import { bundleCli } from '../../scripts/bundle-cli.mjs';
import { nodeEsmBundle } from '../../scripts/node-bundle.mjs';

/** The repository's root folder. */
export const repo = fileURLToPath(new URL('../..', import.meta.url));

export interface TestBundle {
  /** Bundle on first call (once per test file); the bundle's path. */
  path(): Promise<string>;
  /** Remove the bundle's folder; the next path() bundles again. */
  remove(): void;
}

/** A lazily built bundle of `entry` (relative to the repository) written as `<outName>` in a fresh `<outName minus its extension>-e2e-*` folder. */
export function testBundle(entry: string, outName: string): TestBundle {
  let dir: string | undefined;
  let path: Promise<string> | undefined;
  return {
    path() {
      path ??= (async () => {
        const cache = join(repo, 'node_modules/.cache');
        mkdirSync(cache, { recursive: true });
        dir = mkdtempSync(join(cache, `${outName.replace(/\.c?js$/, '')}-e2e-`));
        const out = join(dir, outName);
        if (entry === 'src/cli/main.ts') {
          await bundleCli(out, { minify: false });
          // Its requests' addon beside it, as in dist/.
          buildUnixRequest(join(dir, 'virtnet-unix-request.node'));
          return out;
        }
        await build({
          entryPoints: [join(repo, entry)],
          outfile: out,
          ...nodeEsmBundle,
          logLevel: 'warning',
        });
        // The daemon looks for its zygote library beside its bundle, as in dist/.
        if (entry === 'src/api/main.ts') {
          buildZygote(join(dir, 'virtnet-zygote.so'));
          buildPageout(join(dir, 'virtnet-pageout'));
          buildReadAdvice(join(dir, 'virtnet-read-advice.node'));
        }
        return out;
      })();
      return path;
    },
    remove() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      path = undefined;
    },
  };
}
