// The preload library that lets dnsmasq be forked from a zygote (src/host/zygote.ts), compiled with
// the C compiler ($CC or cc). Used by build.mjs for dist/ and by the e2e harness for its private bundles.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/host/zygote/zygote.c', import.meta.url));

export function buildZygote(outfile) {
  rmSync(outfile, { force: true });
  const cc = spawnSync(process.env.CC ?? 'cc', ['-O2', '-Wall', '-shared', '-fPIC', '-o', outfile, source], { stdio: 'inherit' });
  return cc.status === 0 ? { built: true } : { built: false, why: cc.error?.message ?? `cc exit status ${cc.status}` };
}
