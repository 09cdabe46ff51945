// The esbuild options every ESM bundle for Node 20 shares (dist/virtnetd.js, the e2e tests' daemon,
// the benchmarks, the fuzzer): one file, libxml2-wasm left external (it loads its own .wasm next to its module),
// `require` provided by a banner for the CommonJS dependencies, and the `yaml` package, which
// @fastify/swagger requires but only calls for a YAML document virtnetd never serves, replaced by a
// stand-in (./yaml-absent.cjs): the daemon would keep its code in the heap for nothing.
import { fileURLToPath } from 'node:url';

export const nodeEsmBundle = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['libxml2-wasm'],
  alias: { yaml: fileURLToPath(new URL('./yaml-absent.cjs', import.meta.url)) },
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
};
