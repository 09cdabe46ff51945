/**
 * ForkServerRunner: commands started by a long-lived sh must behave exactly
 * as ExecRunner's (argv taken literally, stdin, environment, LC_ALL=C,
 * exit codes, signals, timeouts, a missing program, daemonizing programs,
 * log entries), and the server must leave nothing behind when idle.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ForkServerRunner } from '../../src/host/fork-server.js';
import { ExecRunner, type CommandLogEntry, type CommandSpec } from '../../src/host/runner.js';
import { VirError } from '../../src/util/errors.js';
import { runAsProgram as runProgram } from '../support/run-as-program.js';
import { pollUntil } from '../support/poll.js';

const scratch = mkdtempSync(join(tmpdir(), 'vnt-fork-server-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh directory for one runner's server, so parallel tests' servers never show up in a listing. */
const privateBase = (): string => mkdtempSync(join(scratch, 'base-'));

/** Run `body` as a plain Node program, with ForkServerRunner imported. */
const runAsProgram = (name: string, body: string) => runProgram(scratch, name, { ForkServerRunner: 'src/host/fork-server.ts' }, body);

const tricky = ["it's", 'a "quoted" word', 'two\nlines', '$HOME `date` $(id) \\ ; | & > <', '', '*'];

describe('ForkServerRunner', () => {
  it('passes every argument literally, as ExecRunner does', async () => {
    const spec: CommandSpec = { argv: ['printf', '[%s]\\n', ...tricky] };
    const ours = await new ForkServerRunner().run(spec);
    const exec = await new ExecRunner().run(spec);
    expect(ours.stdout).toBe(exec.stdout);
    expect(ours.stdout).toBe(tricky.map((w) => `[${w}]\n`).join(''));
    expect(ours.exitCode).toBe(0);
    expect(ours.signal).toBeNull();
  });

  it('feeds stdin, sets the environment and LC_ALL=C, and captures stderr and the exit code', async () => {
    const r = await new ForkServerRunner().run({
      argv: ['sh', '-c', 'cat; printf "%s|%s" "$GREETING" "$LC_ALL" >&2; exit 3'],
      input: 'line one\nline two\n',
      env: { GREETING: "hello 'there'" },
    });
    expect(r.stdout).toBe('line one\nline two\n');
    expect(r.stderr).toBe("hello 'there'|C");
    expect(r.exitCode).toBe(3);
  });

  it('gives a program without input an empty stdin', async () => {
    const r = await new ForkServerRunner().run({ argv: ['cat'] });
    expect(r.stdout).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it("says libvirt's text for a program that does not exist", async () => {
    const err = await new ForkServerRunner().run({ argv: ['no-such-program-virtnet'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VirError);
    expect((err as VirError).message).toBe("Unable to find 'no-such-program-virtnet' binary in $PATH");
  });

  it('kills a program that outlives its timeout, and reports the signal', async () => {
    const r = await new ForkServerRunner().run({ argv: ['sleep', '30'], timeoutMs: 300 });
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe('SIGKILL');
  });

  it('ends the job when a daemonizing program returns, although its child lives on', async () => {
    const pidFile = join(scratch, 'daemon.pid');
    const r = await new ForkServerRunner().run({ argv: ['sh', '-c', `sleep 30 & echo $! > ${pidFile}; echo started`], resolveOnExit: true });
    expect(r.stdout).toBe('started\n');
    expect(r.exitCode).toBe(0);
    const { readFileSync } = await import('node:fs');
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
  });

  it('runs many commands at once, each with its own result', async () => {
    const runner = new ForkServerRunner();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => runner.run({ argv: ['sh', '-c', `printf ${i}; exit ${i % 7}`] })));
    expect(results.map((r) => [r.stdout, r.exitCode])).toEqual(Array.from({ length: 40 }, (_, i) => [String(i), i % 7]));
  });

  it('logs each command as ExecRunner does', async () => {
    const entries: CommandLogEntry[] = [];
    await new ForkServerRunner((e) => entries.push(e)).run({ argv: ['sh', '-c', 'echo oops >&2; exit 2'], input: 'batch text' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ argv: ['sh', '-c', 'echo oops >&2; exit 2'], input: 'batch text', exitCode: 2, signal: null, stderr: 'oops' });
  });

  it('ends its server and removes its files once idle, and starts a new one on demand', async () => {
    const base = privateBase();
    const runner = new ForkServerRunner(undefined, base);
    expect((await runner.run({ argv: ['true'] })).exitCode).toBe(0);
    const mine = readdirSync(base).filter((n) => n.startsWith('vnt-run-'));
    expect(mine).toHaveLength(1);
    const dir = join(base, mine[0] as string);
    expect(readdirSync(dir)).toEqual([]);
    await pollUntil(() => !existsSync(dir), { ms: 10_000, everyMs: 100, what: 'the idle fork server to remove its directory' });
    expect(existsSync(dir)).toBe(false);
    expect((await runner.run({ argv: ['sh', '-c', 'echo again'] })).stdout).toBe('again\n');
  });

  it("keeps a plain Node process alive while a command runs (regression: the idle server had been unref'd, so `await` at top level ended the process with code 13)", async () => {
    const r = await runAsProgram(
      'await-run',
      `const r = await new ForkServerRunner(undefined, ${JSON.stringify(privateBase())}).run({ argv: ['sh', '-c', 'sleep 0.3; echo slept'] });
process.stdout.write('done ' + r.exitCode + ' ' + r.stdout);`,
    );
    expect(r.stdout).toBe('done 0 slept\n');
    expect(r.status).toBe(0);
  });
});

describe('ForkServerRunner without room for its job files', () => {
  it('starts the command from Node instead, with the same result', async () => {
    const base = privateBase();
    const runner = new ForkServerRunner(undefined, base);
    const slow = runner.run({ argv: ['sh', '-c', 'sleep 0.5; echo first'] });
    const mine = readdirSync(base).filter((n) => n.startsWith('vnt-run-'));
    expect(mine).toHaveLength(1);
    // The server's directory vanishes (a temp cleaner, a full disk): the next command still runs.
    // (The slow job may be creating its output files just then: try again until it is gone, as a cleaner would.)
    const serverDir = join(base, mine[0] as string);
    const removed = (): boolean => {
      try {
        rmSync(serverDir, { recursive: true, force: true });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOTEMPTY') return false;
        throw e;
      }
    };
    await pollUntil(removed, { ms: 10_000, everyMs: 20, what: "the fork server's directory to be removed" });
    const r = await runner.run({ argv: ['sh', '-c', 'cat; exit 4'], input: 'via node\n' });
    expect(r.stdout).toBe('via node\n');
    expect(r.exitCode).toBe(4);
    await slow.catch(() => undefined);
  });
});

describe('ForkServerRunner when Node exits right after a command', () => {
  it('leaves no directory behind (regression: each short-lived process left an empty vnt-run-* in /tmp)', async () => {
    const base = privateBase();
    const r = await runAsProgram(
      'exit-at-once',
      `const r = await new ForkServerRunner(undefined, ${JSON.stringify(base)}).run({ argv: ['true'] });
process.exit(r.exitCode ?? 9);`,
    );
    expect(r.status).toBe(0);
    await pollUntil(() => readdirSync(base).length === 0, { ms: 10_000, everyMs: 50, what: "the exited program's fork server to remove its files" });
    expect(readdirSync(base)).toEqual([]);
  });
});
