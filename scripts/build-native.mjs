// virtnet's two small C programs, compiled with the C compiler ($CC or cc) when there is one: the preload
// library that lets dnsmasq be forked from a zygote (src/host/zygote.ts) and the helper with which an idle
// virtnetd pages out its code (src/host/pageout.ts). Used by build.mjs for dist/ and by the e2e harness for
// its private bundles. Without a compiler neither is built, and virtnet works without them.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function compile(source, outfile, args) {
  rmSync(outfile, { force: true });
  const path = fileURLToPath(new URL(`../src/host/${source}`, import.meta.url));
  const cc = spawnSync(process.env.CC ?? 'cc', ['-O2', '-Wall', ...args, '-o', outfile, path], { stdio: 'inherit' });
  return cc.status === 0 ? { built: true } : { built: false, why: cc.error?.message ?? `cc exit status ${cc.status}` };
}

export function buildZygote(outfile) {
  return compile('zygote/zygote.c', outfile, ['-shared', '-fPIC']);
}

export function buildPageout(outfile) {
  return compile('pageout/pageout.c', outfile, []);
}
