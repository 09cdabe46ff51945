// Bundles the entry points with esbuild into dist/ (one file each, ESM, node20).
// Whitespace and syntax are minified (names are kept) and the licence comments go to
// NAME.js.LEGAL.txt: V8 keeps a bundle's whole source in the heap for as long as the
// process lives, and one non-ASCII character anywhere makes it two bytes a character
// (virtnetd's was 5.5 MiB of heap, now ~1.8 MiB; bench/README.md, "Daemon memory").
import { build } from 'esbuild';
import { bundleCli } from './bundle-cli.mjs';
import { writeCliLauncher } from './cli-launcher.mjs';
import { warmUpCli } from './cli-warm-up.mjs';
import { nodeEsmBundle } from './node-bundle.mjs';
import { bundleLibxml2 } from './bundle-libxml2.mjs';
import { buildPageout, buildReadAdvice, buildUnixRequest, buildZygote } from './build-native.mjs';
import { existsSync, rmSync } from 'node:fs';

const entries = {
  virtnetd: 'src/api/main.ts',
  conformance: 'scripts/conformance.ts',
};

const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)));

await build({
  entryPoints,
  outdir: 'dist',
  ...nodeEsmBundle,
  sourcemap: true,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'external',
  charset: 'ascii',
  logLevel: 'warning',
});

// libxml2 as one CommonJS file that makes a new instance each time it is evaluated: the daemon
// makes one when a call needs it and lets it go when idle (src/xml/libxml2.ts).
await bundleLibxml2('dist/libxml2.cjs');

// The CLI: CommonJS (scripts/bundle-cli.mjs), and V8's code cache for it, written by bin/virtnet
// itself after one run (a net-dumpxml answered by a stand-in daemon: parsing, the shell, the client
// and printing are compiled by then; scripts/cli-warm-up.mjs), since the cache must come from the same
// source and the same node. A cache from another node version is rejected by V8 and the bundle
// compiled as usual.
rmSync('dist/virtnet.js', { force: true });
rmSync('dist/virtnet.js.map', { force: true });
await bundleCli('dist/virtnet.cjs');
// bin/virtnet: bin/virtnet.cjs behind a #! line naming this node (scripts/cli-launcher.mjs).
const launcher = writeCliLauncher('bin/virtnet.cjs', 'bin/virtnet');
if (launcher.fallback) process.stderr.write(`build: bin/virtnet runs the node on PATH (${launcher.fallback})\n`);
// The addon with which the CLI makes its requests in one blocking step (src/client/unix-request.ts),
// before the warm-up, so that the code caches hold that path. Without it the CLI uses node:net.
const unixRequest = 'dist/virtnet-unix-request.node';
const unixRequestBuild = buildUnixRequest(unixRequest);
if (!unixRequestBuild.built)
  process.stderr.write(`build: ${unixRequest} not built (${unixRequestBuild.why}); the CLI will load node:net for its requests\n`);
rmSync('dist/virtnet.cjs.cache', { force: true });
await warmUpCli('bin/virtnet');
if (!existsSync('dist/virtnet.cjs.cache')) process.stderr.write('build: no code cache for the CLI; it starts a little slower\n');

// The preload library that lets dnsmasq be forked from a zygote (src/host/zygote.ts). Without a C
// compiler there is none, and every dnsmasq is started as a new program, as before.
const zygote = 'dist/virtnet-zygote.so';
const zygoteBuild = buildZygote(zygote);
if (!zygoteBuild.built) process.stderr.write(`build: ${zygote} not built (${zygoteBuild.why}); dnsmasq will be started without its zygote\n`);

// The helper with which an idle virtnetd gives back the pages of its code (src/host/pageout.ts). Without
// a C compiler there is none, and virtnetd keeps them (its log says so once).
const pageout = 'dist/virtnet-pageout';
const pageoutBuild = buildPageout(pageout);
if (!pageoutBuild.built) process.stderr.write(`build: ${pageout} not built (${pageoutBuild.why}); an idle virtnetd will keep its code's pages\n`);
// The addon with which virtnetd reads the code it paged out back page by page, not with read-ahead
// (src/host/pageout.ts). Without it that code comes back with its neighbours.
const readAdvice = 'dist/virtnet-read-advice.node';
const readAdviceBuild = buildReadAdvice(readAdvice);
if (!readAdviceBuild.built)
  process.stderr.write(`build: ${readAdvice} not built (${readAdviceBuild.why}); code paged out will be read back with read-ahead\n`);

// The web console (web/) into dist/console, served by virtnetd at / on its TCP listener.
const { buildWeb } = await import('./build-web.mjs');
await buildWeb();
