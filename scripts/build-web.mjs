// Builds the web console (web/, Vite + React + PatternFly) into dist/console,
// which virtnetd serves at / on its TCP listener. Called by scripts/build.mjs;
// VIRTNET_CONSOLE_OUT picks another output folder (the browser tests use one).
import { build } from 'vite';
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const web = fileURLToPath(new URL('../web', import.meta.url));

const defaultOut = fileURLToPath(new URL('../dist/console', import.meta.url));
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json)$/;

/**
 * Each text file of the built console gets its brotli (NAME.br) and gzip
 * (NAME.gz) twin, at the best ratio, when that is smaller: the daemon
 * serves them as they are (src/api/console-static.ts).
 */
export function precompress(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      precompress(path);
      continue;
    }
    if (!COMPRESSIBLE.test(name)) continue;
    const data = readFileSync(path);
    if (data.length < 256) continue;
    const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
    const gz = gzipSync(data, { level: 9 });
    if (br.length < data.length) writeFileSync(`${path}.br`, br);
    if (gz.length < data.length) writeFileSync(`${path}.gz`, gz);
  }
}

export async function buildWeb(outDir) {
  await build({
    configFile: `${web}/vite.config.ts`,
    root: web,
    logLevel: 'warn',
    ...(outDir ? { build: { outDir, emptyOutDir: true } } : {}),
  });
  precompress(outDir ?? process.env.VIRTNET_CONSOLE_OUT ?? defaultOut);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb(process.env.VIRTNET_CONSOLE_OUT);
}
