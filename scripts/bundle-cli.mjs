// The CLI's bundle, shared by scripts/build.mjs (dist/virtnet.cjs) and the end-to-end tests'
// private bundles (test/e2e/esbuild-bundle.ts). CommonJS, so that `virtnet` starts without Node's
// ESM loader; bin/virtnet compiles it from V8's code cache (bench/README.md, "CLI").
//
// Its first line names this build (/*virtnet-build:UUID*/, a new one each time): bin/virtnet uses a
// code cache only if the cache names the same build, since V8 itself checks no more than the
// source's length and would run a stale cache's code for a rebuilt bundle of the same length.
//
// The bundle runs either way: as a plain CommonJS file (`node dist/virtnet.cjs`, the tests), or
// compiled by bin/virtnet with vm.Script, where import() has no loader behind it. So the dynamic
// imports of what stays outside the bundle (node:* modules, libxml2-wasm, both loaded only by the
// commands that need them) go through __dynamicImport: bin/virtnet's own import() when it passes
// one (__virtnetImport), the bundle's otherwise.
import { build } from 'esbuild';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const EXTERNAL_IMPORT = /\bimport\(\s*(['"])(node:[^'"]+|libxml2-wasm)\1\s*\)/g;

const externalImports = {
  name: 'virtnet-external-imports',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, async (args) =>
      args.path.includes('/node_modules/')
        ? undefined
        : { contents: (await readFile(args.path, 'utf8')).replace(EXTERNAL_IMPORT, '__dynamicImport($1$2$1)'), loader: 'ts' },
    );
  },
};

/** Bundle src/cli/main.ts into `outfile`. */
export async function bundleCli(outfile, { minify = true } = {}) {
  await build({
    entryPoints: [fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    minifyWhitespace: minify,
    minifySyntax: minify,
    legalComments: 'external',
    charset: 'ascii',
    external: ['libxml2-wasm'],
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: {
      js:
        `/*virtnet-build:${randomUUID()}*/\n` +
        "var __dynamicImport = typeof __virtnetImport === 'function' ? __virtnetImport : (s) => import(s); var __importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
    },
    plugins: [externalImports],
    logLevel: 'warning',
  });
}
