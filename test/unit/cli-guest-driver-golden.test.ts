/**
 * The guest golden files (virsh 9.0 over its test driver) replayed through
 * the CLI against the real network and guest drivers, in process, over the
 * fake runtime and the fake guest backend (test/support/guest-testkit.ts):
 * the drivers' texts, tables and XML must be what virsh printed.
 *
 * Two things are the test driver's, not libvirt's real drivers', and are
 * taken out of our side before comparing: what a real driver writes into a
 * running guest's vNICs (the netN alias, the network's bridge and port id
 * on <source>), which the test driver leaves out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startGuestTestDriver, type GuestTestDriver } from '../support/guest-testkit.js';
import { driverClient } from '../support/driver-client.js';
import { asNetns, GUEST_XML_DIR, loadGuestFlows, runGuestCli, type GuestSetup } from './cli-guest-harness.js';

async function driverFor(setup: GuestSetup): Promise<GuestTestDriver> {
  const t = await startGuestTestDriver();
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
  // What the test driver's domifaddr reports for centos7.0.
  t.net.runtime.setLeases({ name: 'default', bridge: { name: 'virbr0' } }, [
    { iface: 'virbr0', expiryTime: 0, protocol: 'ipv4', mac: '52:54:00:aa:bb:01', ipAddress: '192.168.122.3', prefix: 24 },
  ]);
  return t;
}

/** What only a real driver writes into a running guest's vNICs. */
function withoutLiveDetails(text: string): string {
  return text
    .replace(/ portid=(['"])[0-9a-f-]+\1/g, '')
    .replace(/(<source network=(['"])[^'"]*\2) bridge=(['"])[^'"]*\3/g, '$1')
    .replace(/\n *<alias name=(['"])net\d+\1\/>/g, '');
}

describe('virsh golden files of the domain commands, through the real drivers', () => {
  for (const flow of loadGuestFlows()) {
    it(`${flow.flow}: ${flow.about}`, async () => {
      for (const [i, step] of flow.steps.entries()) {
        const t = await driverFor(flow.setup);
        try {
          const got = await runGuestCli(driverClient(t.driver), step.args);
          const label = `step ${i + 1}: virtnet ${step.args.join(' ')}`;
          expect({ step: label, ...got, stdout: withoutLiveDetails(got.stdout) }).toEqual({
            step: label,
            stdout: asNetns(step.stdout),
            stderr: step.stderr,
            rc: step.rc,
          });
        } finally {
          await t.dispose();
        }
      }
    }, 60_000);
  }
});
