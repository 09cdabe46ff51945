// virsh as the gather scripts run it to record the golden files: one whole process in the C locale,
// its stdout, stderr and exit code.
import { spawnSync } from 'node:child_process';

/** `virsh -c URI ARGS…` in `cwd`, with `env` on top of ours and LC_ALL=C. */
export function runVirsh(uri, args, cwd, env = {}) {
  const r = spawnSync('virsh', ['-c', uri, ...args], {
    cwd,
    env: { ...process.env, LC_ALL: 'C', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, rc: r.status };
}
