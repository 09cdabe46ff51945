// virtnet's small C programs, compiled with the C compiler ($CC or cc) when there is one: the preload
// library that lets dnsmasq be forked from a zygote (src/host/zygote.ts), the helper with which an idle
// virtnetd pages out its code and the Node-API addon that keeps it from being read back with read-ahead
// (src/host/pageout.ts), and the Node-API addon with which the CLI makes its requests in one blocking
// step (src/client/unix-request.ts). Used by build.mjs for dist/ and by the e2e
// harness for its private bundles. Without a compiler none is built, and virtnet works without them.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function compile(source, outfile, args) {
  rmSync(outfile, { force: true });
  const path = fileURLToPath(new URL(`../src/${source}`, import.meta.url));
  const cc = spawnSync(process.env.CC ?? 'cc', ['-O2', '-Wall', ...args, '-o', outfile, path], { stdio: 'inherit' });
  return cc.status === 0 ? { built: true } : { built: false, why: cc.error?.message ?? `cc exit status ${cc.status}` };
}

export function buildZygote(outfile) {
  return compile('host/zygote/zygote.c', outfile, ['-shared', '-fPIC']);
}

export function buildPageout(outfile) {
  return compile('host/pageout/pageout.c', outfile, []);
}

/** Node.js's C headers for addons: include/node beside the bin/ of the node running the build, as its packages install them. */
export function nodeHeadersDir(nodePath = process.execPath) {
  return join(dirname(dirname(nodePath)), 'include', 'node');
}

function buildAddon(source, outfile, headers) {
  if (!existsSync(join(headers, 'node_api.h'))) {
    rmSync(outfile, { force: true });
    return { built: false, why: `Node.js's headers are not installed (no ${join(headers, 'node_api.h')})` };
  }
  // Node-API symbols are resolved in the node that loads the addon.
  return compile(source, outfile, ['-shared', '-fPIC', `-I${headers}`]);
}

export function buildUnixRequest(outfile, headers = nodeHeadersDir()) {
  return buildAddon('client/unix-request/unix-request.c', outfile, headers);
}

export function buildReadAdvice(outfile, headers = nodeHeadersDir()) {
  return buildAddon('host/pageout/read-advice.c', outfile, headers);
}
