// The esbuild options every ESM bundle for Node 20 shares (dist/virtnetd.js, the e2e tests' daemon,
// the benchmarks, the fuzzer): one file, libxml2-wasm left external (it loads its own .wasm next to its module),
// and `require` provided by a banner for the CommonJS dependencies.
export const nodeEsmBundle = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['libxml2-wasm'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
};
