/**
 * virtnetd as a person meets it: started at a terminal (a pty from
 * script(1)) on a fresh root it prints a short summary (where it serves,
 * the 'default' network it defined and started) with the console's URL and
 * token in a box, and no JSON, and a request adds no line; started as a user
 * without the capabilities it needs, it says so and stops.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { daemonBundle, daemonSite, spawnDaemon } from './daemon-process.js';
import { canUseNetns } from './netns.js';
import { until } from './guest-fixture.js';

const root = canUseNetns();
const haveScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!root)('virtnetd and the person who starts it', () => {
  const site = daemonSite('tty');

  it('needs root, or CAP_NET_ADMIN and CAP_SYS_ADMIN, and says so', async () => {
    const d = await spawnDaemon(['--root', join(site.dir, 'nobody'), '--netns', site.ns], { uid: 65534 });
    expect(await d.exited).toBe(1);
    expect(d.stdout()).toBe('');
    expect(d.stderr()).toBe(
      "virtnetd: needs root (or the capabilities CAP_NET_ADMIN and CAP_SYS_ADMIN) to create bridges, firewall rules and network namespaces; this process lacks CAP_NET_ADMIN and CAP_SYS_ADMIN. Run it as root, e.g. 'sudo virtnetd --sandbox'.\n",
    );
  });

  it.skipIf(!haveScript)(
    'at a terminal: a summary, the console and token in a box, no JSON, no line per request',
    async () => {
      const r = join(site.dir, 'tty');
      const bundle = await daemonBundle();
      const cmd = [process.execPath, bundle, '--root', r, '--netns', site.ns, '--listen', '127.0.0.1:0', '--no-libvirt-socket']
        .map((a) => `'${a}'`)
        .join(' ');
      const term = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      term.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      const ended = new Promise((res) => term.once('exit', res));
      try {
        await until(() => out.includes('└'), 20_000, `the summary's box, got: ${out}`);
        const c = await connect({ uri: `unix://${join(r, 'run/virtnet/virtnetd.sock')}` });
        expect((await c.list()).map((n) => n.name)).toEqual(['default']);
        await c.close();
        await new Promise((res) => setTimeout(res, 300));
        const pid = Number(readFileSync(join(r, 'run/virtnet/virtnetd.pid'), 'utf8'));
        process.kill(pid, 'SIGTERM');
        await ended;
      } finally {
        term.kill('SIGKILL');
      }
      const text = out.replace(/\r/g, '');
      const token = /│ {2}Token {8}([0-9a-f]{64}) {2}│/.exec(text)?.[1];
      expect(text).toMatch(/^virtnetd \S+ is running\. Stop it with Ctrl-C; the networks keep running\.\n/);
      expect(text).toContain(`  Namespace   networks live in '${site.ns}'\n`);
      expect(text).toContain(
        "  Networks    defined libvirt's 'default' network: NAT on 192.168.122.0/24, autostart\n              autostarted default\n",
      );
      expect(text).toMatch(/│ {2}Web console {2}http:\/\/127\.0\.0\.1:\d+\/ +│/);
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      expect(text).not.toContain('{"level"');
      expect(text).not.toContain('request');
    },
    60_000,
  );
});
