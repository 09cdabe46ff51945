// libxml2-wasm as one CommonJS file (dist/libxml2.cjs) whose every evaluation is a new libxml2:
// its own wasm instance and memory, made synchronously, so src/xml/libxml2.ts can make one when a
// call needs it and let it go when idle (bench/README.md, "Issue 17"). The package's ESM graph
// makes one instance for the life of the process, asynchronously (a top-level await), so its
// emscripten glue and its wrapper are changed here: each change must match exactly once, or the
// build fails (a new libxml2-wasm version needs this file looked at again).
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

const PATCHES = {
  'libxml2raw.mjs': [
    ['async function Module(moduleArg={}){', 'function Module(moduleArg={}){'],
    ['const {createRequire:a}=await ((m)=>import(m))("node:module");var require=a(import.meta.url)', 'var require=__libxml2Require'],
    ['tb=await (async function(){function a(b){', 'tb=(function(){function a(b){'],
    ['return a((await sa(c)).instance)}());', 'return a(new WebAssembly.Instance(new WebAssembly.Module(pa),c))}());'],
  ],
  'libxml2.mjs': [['const libxml2 = await moduleLoader();', 'const libxml2 = moduleLoader();']],
};

const syncInstance = {
  name: 'libxml2-sync-instance',
  setup(b) {
    b.onLoad({ filter: /libxml2-wasm[\\/]lib[\\/][^\\/]+\.mjs$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      for (const [from, to] of PATCHES[args.path.split(/[\\/]/).pop()] ?? []) {
        const at = text.indexOf(from);
        if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`bundle-libxml2: '${from.slice(0, 60)}' is not in ${args.path} exactly once`);
        text = text.slice(0, at) + to + text.slice(at + from.length);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

/** Bundle libxml2-wasm into `outfile` (CommonJS; src/xml/libxml2.ts evaluates it). */
export async function bundleLibxml2(outfile) {
  await build({
    entryPoints: [join(dirname(require.resolve('libxml2-wasm')), 'index.mjs')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    charset: 'utf8',
    legalComments: 'external',
    define: { 'import.meta.url': '__libxml2Url' },
    banner: { js: "var __libxml2Require = require; var __libxml2Url = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [syncInstance],
    logLevel: 'warning',
  });
}
