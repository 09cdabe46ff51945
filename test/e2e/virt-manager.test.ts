/**
 * Debian's virt-manager manages virtnet's networks: a real virtnetd (its
 * own root, networks in a test namespace) with two networks defined, and
 * virt-manager on a private Xvfb display connected with
 * `--connect network:///system?socket=ROOT/run/libvirt/virtnetworkd-sock`.
 * test/e2e/virt-manager-driver.py drives it through its accessibility tree
 * (dogtail): the Virtual Networks tab lists virtnet's networks; the "Create
 * a new virtual network" wizard makes one; the tab's buttons stop and start
 * it. Each step's screenshot lands in test-results/virt-manager/, and what
 * virt-manager did is checked on virtnet's side with its own CLI.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GOLDEN_XML_DIR } from '../unit/cli-golden-harness.js';
import { SYSTEM_PYTHON, hasVirsh, runClient, virsh } from '../support/libvirt-clients.js';
import { removeCliBundle, virtnet, virtnetEach } from './cli-harness.js';
import { endAllDaemons, libvirtUriOf, withFreshDaemon } from './daemon-process.js';
import { canUseNetns } from './netns.js';

const repo = join(import.meta.dirname, '..', '..');
const SHOTS = join(repo, 'test-results', 'virt-manager');

function installed(): boolean {
  if (!['/usr/bin/virt-manager', '/usr/bin/Xvfb', '/usr/bin/dbus-run-session'].every((p) => existsSync(p))) return false;
  return spawnSync(SYSTEM_PYTHON, ['-c', 'import dogtail, libvirt'], { stdio: 'ignore' }).status === 0;
}

const ready = canUseNetns() && hasVirsh() && installed();

/** Start Xvfb on a display number it picks itself; resolves with ":N" and the process. */
function startXvfb(): Promise<{ display: string; xvfb: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const xvfb = spawn('/usr/bin/Xvfb', ['-displayfd', '3', '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let text = '';
    const fd = xvfb.stdio[3] as NodeJS.ReadableStream;
    fd.setEncoding('utf8');
    fd.on('data', (c: string) => {
      text += c;
      const m = /^(\d+)\n/.exec(text);
      if (m) resolve({ display: `:${m[1]}`, xvfb });
    });
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code})`)));
    xvfb.once('error', reject);
  });
}

describe.skipIf(!ready)('virt-manager on a virtnetd', () => {
  afterAll(async () => {
    await endAllDaemons();
    removeCliBundle();
  });

  it("lists virtnet's networks, creates one with its wizard, stops and starts it", async () => {
    await withFreshDaemon('vm', ['--log-level', 'warn'], async ({ root, daemon, env }) => {
      let x: { display: string; xvfb: ChildProcess } | undefined;
      try {
        const uri = await libvirtUriOf(daemon);
        await virtnetEach(
          [
            ['net-define', 'nat.xml'],
            ['net-start', 'nat'],
            ['net-define', 'isolated.xml'],
          ],
          { cwd: GOLDEN_XML_DIR, env },
        );

        rmSync(SHOTS, { recursive: true, force: true });
        mkdirSync(SHOTS, { recursive: true });
        x = await startXvfb();
        const home = join(root, 'home');
        // dogtail keeps files in /tmp/dogtail-$LOGNAME: a name of this run's own, removed below.
        const logname = basename(root);
        const r = await runClient('/usr/bin/dbus-run-session', ['--', join(import.meta.dirname, 'virt-manager-session.sh'), uri, SHOTS, 'vmnet'], {
          env: {
            DISPLAY: x.display,
            HOME: home,
            LOGNAME: logname,
            USER: logname,
            XDG_CONFIG_HOME: join(home, 'config'),
            XDG_CACHE_HOME: join(home, 'cache'),
            XDG_DATA_HOME: join(home, 'data'),
          },
          timeoutMs: 150_000,
        });
        const steps = r.stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        const step = (name: string) => steps.find((s) => s['step'] === name);
        expect(r.rc, `driver output:\n${r.stdout}\n${r.stderr}`).toBe(0);
        expect(step('listed')).toMatchObject({ networks: ['isolated', 'nat'] });
        expect(step('created')).toMatchObject({ networks: ['isolated', 'nat', 'vmnet'], state: 'active' });
        expect(step('stopped')).toMatchObject({ state: 'inactive' });
        expect(step('started')).toMatchObject({ state: 'active' });
        for (const s of steps) expect(existsSync(String(s['screenshot']))).toBe(true);

        // What virt-manager made, as virtnet and virsh see it.
        const info = await virtnet(['net-info', 'vmnet'], { env });
        expect(info.stdout).toMatch(/^Active:\s+yes$/m);
        expect(info.stdout).toMatch(/^Autostart:\s+yes$/m);
        const xml = await virsh(uri, ['net-dumpxml', 'vmnet']);
        expect(xml.stdout).toContain("<forward mode='nat'>");
        expect(xml.stdout).toMatch(/<dhcp>\s*<range start='[\d.]+' end='[\d.]+'\/>/);
      } finally {
        x?.xvfb.kill('SIGTERM');
        rmSync(join('/tmp', `dogtail-${basename(root)}`), { recursive: true, force: true });
      }
    });
  }, 240_000);
});
