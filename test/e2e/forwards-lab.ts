/**
 * The setting of the port-forward tests (forwards.test.ts, forwards-udp.test.ts): a real
 * `virtnetd --sandbox` whose uplink namespace stands for the world outside, the built CLI, and the
 * files of a NAT network and of two netns guests on it, web and peer; end() removes all of it.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { cleanupSandbox, sandboxNames } from '../../src/api/sandbox.js';
import { guestXml } from '../support/guest-testkit.js';
import { removeCliBundle, virtnet, type CliRun } from './cli-harness.js';
import { endAllDaemons, startServing, type DaemonProcess } from './daemon-process.js';
import { deleteGuestNamespaces } from './guest-fixture.js';

export class ForwardsLab {
  /** Holds NETWORK.xml, web.xml and peer.xml, the CLI's working directory. */
  readonly dir: string;
  readonly names: { netns: string; uplink: string };
  daemon!: DaemonProcess & { socket: string };
  private env: Record<string, string> | undefined;

  /** `macPrefix` + ':01' is web's MAC, + ':02' peer's. */
  constructor(network: string, networkXml: string, macPrefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), `vnt-${network}-`));
    chmodSync(this.dir, 0o755);
    this.names = sandboxNames(join(this.dir, 'root'));
    writeFileSync(join(this.dir, `${network}.xml`), networkXml);
    writeFileSync(join(this.dir, 'web.xml'), guestXml('web', { nics: [`network:${network}@${macPrefix}:01`] }));
    writeFileSync(join(this.dir, 'peer.xml'), guestXml('peer', { nics: [`network:${network}@${macPrefix}:02`] }));
  }

  /** Start virtnetd (again, after a restart). */
  async serve(): Promise<void> {
    this.daemon = await startServing(['--sandbox', '--root', join(this.dir, 'root'), '--log-level', 'warn']);
    this.env = { VIRTNET_DEFAULT_URI: `unix://${this.daemon.socket}` };
  }

  run(...args: string[]): Promise<CliRun> {
    return virtnet(args, { cwd: this.dir, timeoutMs: 60_000, ...(this.env ? { env: this.env } : {}) });
  }

  /** Run the CLI; it must succeed without a word on stderr. Its output. */
  async ok(...args: string[]): Promise<string> {
    const r = await this.run(...args);
    expect(r.stderr, args.join(' ')).toBe('');
    expect(r.rc, args.join(' ')).toBe(0);
    return r.stdout;
  }

  /** The namespace of a guest. */
  guestNs(guest: string): string {
    return `${this.names.netns}-g-${guest}`;
  }

  /** Remove the guests, the daemons, the CLI bundle, the sandbox and the files, whatever state they are in. */
  async end(): Promise<void> {
    if (this.env) await this.run('-q', 'destroy web; undefine web; destroy peer; undefine peer').catch(() => undefined);
    await endAllDaemons();
    removeCliBundle();
    deleteGuestNamespaces(this.names.netns);
    await cleanupSandbox(this.names).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
