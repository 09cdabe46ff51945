/**
 * A process that cannot be started is that call's failure, never the
 * daemon's end (issue 10, point 6: virtnetd exited on an uncaught
 * `spawn ip EMFILE`). A plain Node program under a small descriptor limit
 * uses every descriptor it has, then asks both runners to start a program:
 * each call fails with a VirError saying why, and the program lives on to
 * print it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAsProgram } from '../support/run-as-program.js';

const scratch = mkdtempSync(join(tmpdir(), 'vnt-emfile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const prlimit = spawnSync('prlimit', ['--version']).status === 0;

describe.skipIf(!prlimit)('starting a program with no descriptor left', () => {
  it('fails the call with a VirError (EMFILE) and leaves the process running', async () => {
    const r = await runAsProgram(
      scratch,
      'emfile',
      { ExecRunner: 'src/host/runner.ts', ForkServerRunner: 'src/host/fork-server.ts' },
      `import { openSync, closeSync } from 'node:fs';
const held = [];
try { for (;;) held.push(openSync('/dev/null', 'r')); } catch (e) { if (e.code !== 'EMFILE') throw e; }
const outcome = (p) => p.then((x) => 'ran ' + x.exitCode, (e) => e.name + ': ' + e.message);
console.log('exec: ' + await outcome(new ExecRunner().run({ argv: ['true'] })));
console.log('fork-server: ' + await outcome(new ForkServerRunner(undefined, ${JSON.stringify(scratch)}).run({ argv: ['true'] })));
for (const fd of held.splice(0, 20)) closeSync(fd);
console.log('after: ' + await outcome(new ExecRunner().run({ argv: ['true'] })));
await new Promise((r) => setTimeout(r, 50));
console.log('alive');`,
      { prefix: ['prlimit', '--nofile=64:64'] },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        "exec: VirError: Cannot run 'true': Too many open files",
        "fork-server: VirError: Cannot run 'true': Too many open files",
        'after: ran 0',
        'alive',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
  });
});
