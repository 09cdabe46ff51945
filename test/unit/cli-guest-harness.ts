/**
 * Running the guest commands against the real network and guest drivers
 * over the fake runtime and the fake guest backend (test/support/
 * guest-testkit.ts), and replaying the guest golden files
 * (test/golden/guests/*.json, virsh 9.0's output gathered from its test
 * driver by test/golden/guests/gather.mjs).
 *
 * virsh read the golden guest files with the test driver's domain type
 * `test` in place of `netns`; its output is compared with that one
 * substitution undone, and without what only a real driver writes into a
 * running guest's vNICs (the netN alias, the network's bridge and port id
 * on <source>), which the test driver leaves out. Every step starts from
 * the flow's setup: its networks defined and started, the host bridge br0,
 * its guests defined and started in order (ids 1, 2, …), and the lease the
 * test driver reports for centos7.0.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.js';
import type { ShellIo } from '../../src/cli/shell.js';
import type { VirtnetClient } from '../../src/client/types.js';
import { driverClient } from '../support/driver-client.js';
import { startReproducibleGuestDriver, type GuestTestDriver } from '../support/guest-testkit.js';

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

/**
 * The drivers in the state of `setup`, as the test driver starts from it;
 * with `restart`, that state is what a restarted daemon found (the fake
 * runtime's leases are its own, so they are set after).
 */
export async function driversFor(setup: GuestSetup, options: { restart?: boolean } = {}): Promise<GuestTestDriver> {
  let t = await startReproducibleGuestDriver();
  const dir = GUEST_XML_DIR;
  for (const f of setup.networks) {
    const info = await t.driver.define(readFileSync(join(dir, f), 'utf8'));
    await t.driver.start(info.name);
  }
  t.net.kernel.links.add('br0');
  for (const f of setup.guests) {
    const info = await t.driver.guestDefine(readFileSync(join(dir, f), 'utf8'));
    await t.driver.guestStart(info.name);
  }
  if (options.restart) t = await t.restart();
  // What the test driver's domifaddr reports for centos7.0.
  t.net.runtime.setLeases({ name: 'default', bridge: { name: 'virbr0' } }, [
    { iface: 'virbr0', expiryTime: 0, protocol: 'ipv4', mac: '52:54:00:aa:bb:01', ipAddress: '192.168.122.3', prefix: 24 },
  ]);
  return t;
}

/** What only a real driver writes into a running guest's vNICs (see the header). */
export function withoutLiveDetails(text: string): string {
  return text
    .replace(/ portid=(['"])[0-9a-f-]+\1/g, '')
    .replace(/(<source network=(['"])[^'"]*\2) bridge=(['"])[^'"]*\3/g, '$1')
    .replace(/\n *<alias name=(['"])net\d+\1\/>/g, '');
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

/** Each step of `flow` run from the flow's setup, beside what virsh printed (both as the header says they are compared). */
export async function replayGuestFlow(
  flow: GuestGoldenFlow,
  options: { restart?: boolean } = {},
): Promise<{ step: string; got: CliResult; want: CliResult }[]> {
  const out: { step: string; got: CliResult; want: CliResult }[] = [];
  for (const [i, step] of flow.steps.entries()) {
    const t = await driversFor(flow.setup, options);
    try {
      const got = await runGuestCli(driverClient(t.driver), step.args);
      out.push({
        step: `step ${i + 1}: virtnet ${step.args.join(' ')}`,
        got: { ...got, stdout: withoutLiveDetails(got.stdout) },
        want: { stdout: asNetns(step.stdout), stderr: step.stderr, rc: step.rc },
      });
    } finally {
      await t.dispose();
    }
  }
  return out;
}
