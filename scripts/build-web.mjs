// Builds the web console (web/, Vite + React + PatternFly) into dist/console,
// which virtnetd serves at / on its TCP listener. Called by scripts/build.mjs;
// VIRTNET_CONSOLE_OUT picks another output folder (the browser tests use one).
import { build } from 'vite';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('../web', import.meta.url));

export async function buildWeb(outDir) {
  await build({
    configFile: `${web}/vite.config.ts`,
    root: web,
    logLevel: 'warn',
    ...(outDir ? { build: { outDir, emptyOutDir: true } } : {}),
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb(process.env.VIRTNET_CONSOLE_OUT);
}
