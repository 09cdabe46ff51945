/**
 * Running the guest commands against the in-memory guest client, and
 * replaying the guest golden files (test/golden/guests/*.json, virsh 9.0's
 * output gathered from its test driver by test/golden/guests/gather.mjs).
 *
 * virsh read the golden guest files with the test driver's domain type
 * `test` in place of `netns`; its output is compared with that one
 * substitution undone. Every step starts from the
 * flow's setup: its networks defined and started, its guests defined and
 * started in order (ids 1, 2, …), and the lease the test driver reports for
 * centos7.0.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.js';
import type { ShellIo } from '../../src/cli/shell.js';
import type { VirtnetClient } from '../../src/client/types.js';
import { FakeGuestClient } from './cli-guest-fake.js';

export const GUEST_GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'guests');
export const GUEST_XML_DIR = join(GUEST_GOLDEN_DIR, 'xml');

export interface GuestSetup {
  networks: string[];
  guests: string[];
}

export interface GuestGoldenStep {
  args: string[];
  stdout: string;
  stderr: string;
  rc: number;
}

export interface GuestGoldenFlow {
  flow: string;
  about: string;
  setup: GuestSetup;
  steps: GuestGoldenStep[];
}

export interface CliResult {
  stdout: string;
  stderr: string;
  rc: number;
}

export function loadGuestFlows(): GuestGoldenFlow[] {
  return readdirSync(GUEST_GOLDEN_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(GUEST_GOLDEN_DIR, f), 'utf8')) as GuestGoldenFlow);
}

/** The test driver's domain type becomes virtnet's. */
export const asNetns = (text: string): string => text.replaceAll("<domain type='test'", "<domain type='netns'");

/** A client in the state of `setup`, as the test driver starts from it. */
export async function clientFor(setup: GuestSetup, options: { liveDetails?: boolean } = {}): Promise<FakeGuestClient> {
  const client = new FakeGuestClient({ liveDetails: options.liveDetails ?? false });
  const dir = GUEST_XML_DIR;
  for (const f of setup.networks) {
    const info = await client.define(readFileSync(join(dir, f), 'utf8'));
    await client.start(info.name);
  }
  for (const f of setup.guests) {
    const info = await client.guestDefine(readFileSync(join(dir, f), 'utf8'));
    await client.guestStart(info.name);
  }
  // What the test driver's domifaddr reports for centos7.0.
  client.leaseTable.set('default', [
    { iface: 'virbr0', expiryTime: 0, protocol: 'ipv4', mac: '52:54:00:aa:bb:01', ipAddress: '192.168.122.3', prefix: 24 },
  ]);
  return client;
}

export interface RunOptions {
  cwd?: string;
  stdin?: string;
  /** Added to the environment (the default is LC_ALL=C with a Spanish LANG: virsh's output). */
  env?: Record<string, string>;
}

/** `virtnet ARGS…` against `client`. */
export async function runGuestCli(client: VirtnetClient, args: string[], o: RunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: ShellIo = { out: (t) => (stdout += t), err: (t) => (stderr += t), stdinIsTTY: false };
  if (o.stdin !== undefined) io.stdin = Readable.from([o.stdin]);
  const rc = await runCli(args, {
    io,
    connect: async () => client,
    // virsh's own output whatever LANG says (LC_ALL=C wins, as with gettext).
    env: { PATH: process.env['PATH'], LC_ALL: 'C', LANG: 'es_ES.UTF-8', ...(o.env ?? {}) },
    cwd: o.cwd ?? GUEST_XML_DIR,
  });
  return { stdout, stderr, rc };
}
