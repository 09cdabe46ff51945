/**
 * The guest commands beyond what virsh's test driver can show (it has no
 * hotplug, no leases of its own, no guest-exec or bridge-show): attaching
 * and detaching for real with every flag combination, what reaches the
 * driver, domifaddr's layout with several addresses, guest-exec's output
 * and exit code, bridge-show's brctl layout, net-destroy/net-undefine and
 * their --force, help entries, and a client without guest support.
 * Everything runs against the real network and guest drivers over the fake
 * runtime and the fake guest backend.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { formatAddresses } from '../../src/cli/commands/guest-inspect.js';
import { VirError } from '../../src/util/errors.js';
import { driverClient, type DriverClient } from '../support/driver-client.js';
import { guestXml, startReproducibleGuestDriver, type GuestTestDriver } from '../support/guest-testkit.js';
import { countingRandomness, startTestDriver } from '../support/network-testkit.js';
import { GUEST_XML_DIR, runGuestCli } from './cli-guest-harness.js';

const CENTOS = guestXml('centos7.0', { uuid: '5f1e1d2c-3b4a-4958-8776-a5b4c3d2e1f0', nics: ['network:default@52:54:00:aa:bb:01'] });

const SECOND = guestXml('second', { nics: ['network:isolated'] });

/** The tutorial's state: default and isolated running, centos7.0 running with a NIC on default (vnet0). */
async function tutorial(): Promise<GuestTestDriver> {
  const t = await startReproducibleGuestDriver();
  for (const f of ['default.xml', 'isolated.xml']) {
    const info = await t.driver.define(readFileSync(join(GUEST_XML_DIR, f), 'utf8'));
    await t.driver.start(info.name);
  }
  await t.driver.guestDefine(CENTOS);
  await t.driver.guestStart('centos7.0');
  return t;
}

let t: GuestTestDriver;
let client: DriverClient;
const cli = (...args: string[]) => runGuestCli(client, args);
const ok = (stdout: string) => ({ stdout, stderr: '', rc: 0 });
const failed = (stderr: string) => ({ stdout: '\n', stderr, rc: 1 });

beforeEach(async () => {
  t = await tutorial();
  client = driverClient(t.driver);
});
afterEach(() => t.dispose());

describe('attach-interface', () => {
  it('replays the tutorial: --config --live puts the vNIC in both definitions, and domiflist shows both NICs', async () => {
    expect(
      await cli('attach-interface', '--domain', 'centos7.0', '--source', 'isolated', '--type', 'network', '--model', 'virtio', '--config', '--live'),
    ).toEqual(ok('Interface attached successfully\n\n'));
    const live = await cli('domiflist', 'centos7.0');
    expect(live.stdout).toMatch(
      /^ Interface   Type      Source     Model    MAC\n-+\n vnet0       network   default    virtio   52:54:00:aa:bb:01\n vnet1       network   isolated   virtio   (52:54:00:[0-9a-f:]{8})\n\n$/,
    );
    const mac = /isolated   virtio   (\S+)/.exec(live.stdout)?.[1];
    const config = await cli('domiflist', 'centos7.0', '--inactive');
    expect(config.stdout).toBe(
      ' Interface   Type      Source     Model    MAC\n' +
        '--------------------------------------------------------------\n' +
        ' -           network   default    virtio   52:54:00:aa:bb:01\n' +
        ` -           network   isolated   virtio   ${mac}\n\n`,
    );
  });

  it('sends virsh’s element with the flags virsh derives from its options', async () => {
    const sent: unknown[] = [];
    const attach = client.guestAttachDevice.bind(client);
    client.guestAttachDevice = async (name, xml, flags) => {
      sent.push([name, xml, flags]);
      return attach(name, xml, flags);
    };
    await cli('attach-interface', 'centos7.0', 'network', 'isolated');
    await cli('attach-interface', 'centos7.0', 'network', 'isolated', '--current');
    await cli('attach-interface', 'centos7.0', 'network', 'isolated', '--config');
    await cli('attach-interface', 'centos7.0', 'network', 'isolated', '--persistent');
    await cli('attach-interface', '5f1e1d2c-3b4a-4958-8776-a5b4c3d2e1f0', 'bridge', 'br0', 'tapx', '--live', '--mac', '52:54:00:00:00:77');
    const xml = "<interface type='network'>\n  <source network='isolated'/>\n</interface>\n";
    expect(sent).toEqual([
      ['centos7.0', xml, { live: true }],
      ['centos7.0', xml, {}],
      ['centos7.0', xml, { config: true }],
      ['centos7.0', xml, { config: true, live: true }],
      [
        'centos7.0',
        "<interface type='bridge'>\n  <source bridge='br0'/>\n  <target dev='tapx'/>\n  <mac address='52:54:00:00:00:77'/>\n</interface>\n",
        { live: true },
      ],
    ]);
  });

  it('--persistent on a stopped guest changes the config only; without options it needs a running guest', async () => {
    await cli('destroy', 'centos7.0');
    expect(await cli('attach-interface', 'centos7.0', 'network', 'isolated')).toEqual(
      failed('error: Failed to attach interface\nerror: Requested operation is not valid: domain is not running\n'),
    );
    expect(await cli('attach-interface', 'centos7.0', 'network', 'isolated', '--persistent')).toEqual(ok('Interface attached successfully\n\n'));
    expect(await cli('attach-interface', 'centos7.0', 'network', 'isolated', '--current', '--mac', '52:54:00:00:00:42')).toEqual(
      ok('Interface attached successfully\n\n'),
    );
    expect((await cli('-q', 'domiflist', 'centos7.0')).stdout).toMatch(
      /^ -   network   default    virtio   52:54:00:aa:bb:01\n -   network   isolated   -        52:54:00:\S+\n -   network   isolated   -        52:54:00:00:00:42\n$/,
    );
  });

  it('reports a network that is not running with libvirt’s message, and leaves the config alone', async () => {
    await client.destroy('isolated');
    expect(await cli('attach-interface', 'centos7.0', 'network', 'isolated', '--config', '--live')).toEqual(
      failed("error: Failed to attach interface\nerror: Requested operation is not valid: network 'isolated' is not active\n"),
    );
    expect((await cli('-q', 'domiflist', 'centos7.0', '--inactive')).stdout).toBe(' -   network   default   virtio   52:54:00:aa:bb:01\n');
  });

  it('refuses the types virsh knows but virtnet does not connect as the driver would, after finding the guest', async () => {
    expect(await cli('attach-interface', 'centos7.0', 'direct', 'eth0')).toEqual(
      failed("error: Failed to attach interface\nerror: unsupported configuration: Unsupported net type 'direct'\n"),
    );
    expect(await cli('attach-interface', 'nosuch', 'hostdev', '0000:01:00.0')).toEqual(failed("error: failed to get domain 'nosuch'\n"));
    expect(await cli('attach-interface', 'nosuch', 'vhostuser', '/tmp/s', '--print-xml')).toEqual(
      failed("error: unsupported configuration: Unsupported net type 'vhostuser'\n"),
    );
  });

  it('is refused by a read-only connection as the daemon refuses it', async () => {
    client.guestAttachDevice = async () => {
      throw new VirError('OPERATION_DENIED', 'read only access prevents virDomainAttachDeviceFlags');
    };
    expect(await cli('attach-interface', 'centos7.0', 'network', 'isolated')).toEqual(
      failed('error: Failed to attach interface\nerror: operation forbidden: read only access prevents virDomainAttachDeviceFlags\n'),
    );
  });
});

describe('detach-interface', () => {
  beforeEach(async () => {
    await cli('attach-interface', 'centos7.0', 'network', 'isolated', '--mac', '52:54:00:00:00:42', '--config', '--live');
  });

  it('--mac with --config --live removes the vNIC from both definitions, handing the driver virsh’s element', async () => {
    const sent: unknown[] = [];
    const detach = client.guestDetachDevice.bind(client);
    client.guestDetachDevice = async (name, xml, flags) => {
      sent.push([xml, flags]);
      return detach(name, xml, flags);
    };
    expect(await cli('detach-interface', 'centos7.0', 'network', '--mac', '52:54:00:00:00:42', '--config', '--live')).toEqual(
      ok('Interface detached successfully\n\n'),
    );
    expect(sent).toEqual([
      [
        '<interface type="network">\n      <mac address="52:54:00:00:00:42"/>\n      <source network="isolated"/>\n    </interface>',
        { config: true },
      ],
      [
        '<interface type="network">\n      <mac address="52:54:00:00:00:42"/>\n      <source network="isolated" portid="f0000000-0000-4000-8000-000000000002" bridge="virbr1"/>\n      <target dev="vnet1"/>\n      <alias name="net1"/>\n    </interface>',
        { live: true },
      ],
    ]);
    expect((await cli('-q', 'domiflist', 'centos7.0')).stdout).toBe(' vnet0   network   default   virtio   52:54:00:aa:bb:01\n');
    expect((await cli('-q', 'domiflist', 'centos7.0', '--inactive')).stdout).toBe(' -   network   default   virtio   52:54:00:aa:bb:01\n');
  });

  it('without options detaches live only; --current lets the driver choose; --persistent takes both while running', async () => {
    const flags: unknown[] = [];
    const detach = client.guestDetachDevice.bind(client);
    client.guestDetachDevice = async (name, xml, f) => {
      flags.push(f);
      return detach(name, xml, f);
    };
    expect(await cli('detach-interface', 'centos7.0', 'network', '--mac', '52:54:00:00:00:42')).toEqual(ok('Interface detached successfully\n\n'));
    expect((await cli('-q', 'domiflist', 'centos7.0', '--inactive')).stdout).toContain('52:54:00:00:00:42');
    expect(await cli('detach-interface', 'centos7.0', 'network', '--mac', '52:54:00:00:00:42', '--current')).toEqual(
      failed('error: No interface with MAC address 52:54:00:00:00:42 was found\nerror: Failed to detach interface\n'),
    );
    expect(await cli('detach-interface', 'centos7.0', 'network', '--mac', '52:54:00:00:00:42', '--config')).toEqual(
      ok('Interface detached successfully\n\n'),
    );
    expect(await cli('detach-interface', 'centos7.0', 'network', '--persistent')).toEqual(ok('Interface detached successfully\n\n'));
    expect(flags).toEqual([{ live: true }, { config: true }, { config: true }, { live: true }]);
    expect((await cli('domiflist', 'centos7.0')).stdout).toBe(` Interface   Type   Source   Model   MAC\n${'-'.repeat(42)}\n\n`);
  });

  it('stops at the config step when it fails, before the live one', async () => {
    await cli('detach-interface', 'centos7.0', 'network', '--mac', '52:54:00:00:00:42', '--config');
    expect(await cli('detach-interface', 'centos7.0', 'network', '--mac', '52:54:00:00:00:42', '--config', '--live')).toEqual(
      failed('error: No interface with MAC address 52:54:00:00:00:42 was found\nerror: Failed to detach interface\n'),
    );
    expect((await cli('-q', 'domiflist', 'centos7.0')).stdout).toContain('52:54:00:00:00:42');
  });

  it('reports a stopped guest for a live detach, and the driver’s error after its summary', async () => {
    await cli('destroy', 'centos7.0');
    expect(await cli('detach-interface', 'centos7.0', 'network', '--mac', '52:54:00:00:00:42')).toEqual(
      failed('error: Failed to detach interface\nerror: Requested operation is not valid: domain is not running\n'),
    );
    expect(await cli('detach-interface', 'centos7.0', 'network', '--mac', '52:54:0:0:0:42', '--current')).toEqual(
      ok('Interface detached successfully\n\n'),
    );
  });
});

describe('domifaddr', () => {
  it('shows the leases of the vNICs, the name and MAC on the first address only unless --full', async () => {
    t.net.runtime.setLeases({ name: 'default', bridge: { name: 'virbr0' } }, [
      { iface: 'virbr0', expiryTime: 0, protocol: 'ipv4', mac: '52:54:00:aa:bb:01', ipAddress: '192.168.122.45', prefix: 24 },
      { iface: 'virbr0', expiryTime: 0, protocol: 'ipv6', mac: '52:54:00:aa:bb:01', ipAddress: 'fd00::45', prefix: 64 },
    ]);
    const header =
      ' Name       MAC address          Protocol     Address\n-------------------------------------------------------------------------------\n';
    expect(await cli('domifaddr', 'centos7.0')).toEqual(
      ok(`${header} vnet0      52:54:00:aa:bb:01    ipv4         192.168.122.45/24\n -          -                    ipv6         fd00::45/64\n\n`),
    );
    expect((await cli('domifaddr', 'centos7.0', '--full')).stdout).toBe(
      `${header} vnet0      52:54:00:aa:bb:01    ipv4         192.168.122.45/24\n vnet0      52:54:00:aa:bb:01    ipv6         fd00::45/64\n\n`,
    );
  });

  it('lays long names out as printf does, and filters by --interface', () => {
    const addrs = [
      { name: 'macvtap1234', mac: '52:54:00:00:00:01', protocol: 'ipv4' as const, address: '10.0.0.2', prefix: 8 },
      { name: 'vnet3', mac: '52:54:00:00:00:02', protocol: 'ipv4' as const, address: '10.0.0.3', prefix: 8 },
    ];
    expect(formatAddresses(addrs)).toBe(
      ' macvtap1234 52:54:00:00:00:01    ipv4         10.0.0.2/8\n vnet3      52:54:00:00:00:02    ipv4         10.0.0.3/8\n',
    );
    expect(formatAddresses(addrs, { iface: 'vnet3' })).toBe(' vnet3      52:54:00:00:00:02    ipv4         10.0.0.3/8\n');
  });

  it('offers only the lease source', async () => {
    expect(await cli('domifaddr', 'centos7.0', '--source', 'agent')).toEqual(
      failed(
        "error: Failed to query for interfaces addresses\nerror: Operation not supported: address source 'agent' is not supported; use 'lease'\n",
      ),
    );
  });
});

describe('guest-exec', () => {
  it('prints the command’s output unchanged and exits with its code; words after -- are the command’s', async () => {
    const ran: string[][] = [];
    t.backend.onExec = (_g, argv) => {
      ran.push([...argv]);
      return { exitCode: 3, stdout: 'udhcpc: lease obtained\n', stderr: 'warning\n' };
    };
    expect(await cli('guest-exec', 'centos7.0', '--', 'udhcpc', '-i', 'eth0', '--now', '-q')).toEqual({
      stdout: 'udhcpc: lease obtained\n\n',
      stderr: 'warning\n',
      rc: 3,
    });
    expect(ran).toEqual([['udhcpc', '-i', 'eth0', '--now', '-q']]);
    expect((await cli('-q', 'guest-exec', 'centos7.0', 'true')).rc).toBe(3);
  });

  it('exits 0 when the command succeeds; only the last command of a chain sets the code', async () => {
    expect(await cli('guest-exec', 'centos7.0', 'ip', 'link')).toEqual(ok('ip link\n\n'));
    t.backend.onExec = () => ({ exitCode: 7, stdout: '', stderr: '' });
    expect((await cli('guest-exec centos7.0 false; list --name')).rc).toBe(0);
    expect((await cli('list --name; guest-exec centos7.0 false')).rc).toBe(7);
  });

  it('needs a running netns guest', async () => {
    await cli('destroy', 'centos7.0');
    expect(await cli('guest-exec', 'centos7.0', 'true')).toEqual(
      failed("error: Failed to execute a command in domain 'centos7.0'\nerror: Requested operation is not valid: domain is not running\n"),
    );
    expect(await cli('guest-exec', 'nosuch', 'true')).toEqual(failed("error: failed to get domain 'nosuch'\n"));
    expect((await cli('guest-exec', 'centos7.0')).stderr).toBe("error: command 'guest-exec' requires <cmd> option\n");
  });
});

describe('bridge-show', () => {
  it('prints brctl show’s layout, tabs included, with the vnetN ports', async () => {
    await client.guestDefine(SECOND);
    await client.guestStart('second');
    await cli('attach-interface', 'centos7.0', 'network', 'isolated', '--live');
    expect(await cli('bridge-show')).toEqual(
      ok(
        'bridge name\tbridge id\t\tSTP enabled\tinterfaces\n' +
          'virbr0\t\t8000.5254000acd21\tyes\t\tvnet0\n' +
          'virbr1\t\t8000.5254003b417e\tyes\t\tvnet1\n' +
          '\t\t\t\t\t\t\tvnet2\n\n',
      ),
    );
    expect(await cli('bridge-show', 'virbr0')).toEqual(
      ok('bridge name\tbridge id\t\tSTP enabled\tinterfaces\nvirbr0\t\t8000.5254000acd21\tyes\t\tvnet0\n\n'),
    );
  });

  it('ends a bridge without ports after its two tabs, prints nothing without bridges, and names an unknown bridge', async () => {
    await cli('destroy', 'centos7.0');
    expect((await cli('bridge-show', '--bridge', 'virbr0')).stdout).toBe(
      'bridge name\tbridge id\t\tSTP enabled\tinterfaces\nvirbr0\t\t8000.5254000acd21\tyes\t\t\n\n',
    );
    expect(await cli('bridge-show', 'nosuch')).toEqual(failed('error: bridge nosuch does not exist!\n'));
    await client.destroy('default');
    await client.destroy('isolated');
    expect(await cli('bridge-show')).toEqual(ok('\n'));
  });
});

describe('net-destroy and net-undefine with guests attached', () => {
  it('are refused with the guests’ names, and go on with --force', async () => {
    expect(await cli('net-destroy', 'default')).toEqual(
      failed(
        "error: Failed to destroy network default\nerror: Requested operation is not valid: network 'default' has guests attached: centos7.0 (use --force to destroy it anyway)\n",
      ),
    );
    expect(await cli('net-undefine', 'default')).toEqual(
      failed(
        "error: Failed to undefine network default\nerror: Requested operation is not valid: network 'default' has guests attached: centos7.0 (use --force to undefine it anyway)\n",
      ),
    );
    expect(await cli('net-destroy', 'default', '--force')).toEqual(ok('Network default destroyed\n\n'));
    expect(await cli('net-undefine', '--force', 'default')).toEqual(ok('Network default has been undefined\n\n'));
  });

  it('ask nothing more when no guest is attached, and keep virsh’s help', async () => {
    expect(await cli('net-destroy', 'isolated')).toEqual(ok('Network isolated destroyed\n\n'));
    const help = await cli('help', 'net-destroy');
    expect(help.stdout).not.toContain('force');
    expect(help.stdout).toContain('    net-destroy <network>\n');
  });
});

describe('looking guests up', () => {
  it('takes a running guest’s id, a uuid in any case, or a name', async () => {
    const xml = await cli('dumpxml', '1');
    expect(xml.stdout.startsWith("<domain type='netns' id='1'>\n  <name>centos7.0</name>\n")).toBe(true);
    expect((await cli('dumpxml', '5F1E1D2C-3B4A-4958-8776-A5B4C3D2E1F0')).stdout).toBe(xml.stdout);
    await cli('destroy', 'centos7.0');
    expect(await cli('dumpxml', '1')).toEqual(failed("error: failed to get domain '1'\n"));
  });

  it('a guest named like an id is found by name when no running guest has that id', async () => {
    await client.guestDefine(CENTOS.replace('centos7.0', '42').replace('5f1e1d2c', '6f1e1d2c'));
    expect(await cli('-q', 'undefine', '42')).toEqual({ stdout: '', stderr: '', rc: 0 });
  });
});

describe('help', () => {
  it('lists the guest commands in virsh’s groups and order', async () => {
    const all = (await cli('help')).stdout;
    expect(all.indexOf(" Domain Management (help keyword 'domain'):")).toBeLessThan(all.indexOf(" Domain Monitoring (help keyword 'monitor'):"));
    expect(all.indexOf(" Domain Monitoring (help keyword 'monitor'):")).toBeLessThan(all.indexOf(" Host and Hypervisor (help keyword 'host'):"));
    expect((await cli('help', 'domain')).stdout).toBe(
      " Domain Management (help keyword 'domain'):\n" +
        '    attach-interface               attach network interface\n' +
        "    define                         define (but don't start) a domain from an XML file\n" +
        '    destroy                        destroy (stop) a domain\n' +
        '    detach-interface               detach network interface\n' +
        '    dumpxml                        domain information in XML\n' +
        '    start                          start a (previously defined) inactive domain\n' +
        '    undefine                       undefine a domain\n' +
        '    guest-exec                     run a command inside a netns guest\n\n',
    );
    expect((await cli('help', 'monitor')).stdout).toBe(
      " Domain Monitoring (help keyword 'monitor'):\n" +
        "    domifaddr                      Get network interfaces' addresses for a running domain\n" +
        '    domiflist                      list all domain virtual interfaces\n' +
        '    domifstat                      get network interface stats for a domain\n' +
        '    list                           list domains\n\n',
    );
    expect((await cli('help', 'interface')).stdout).toBe(
      " Interface (help keyword 'interface'):\n    bridge-show                    show bridges and their ports, as 'brctl show' does\n\n",
    );
  });

  it('describes each command in vsh’s layout', async () => {
    expect((await cli('detach-interface', '--help')).stdout).toBe(
      '  NAME\n    detach-interface - detach network interface\n\n' +
        '  SYNOPSIS\n    detach-interface <domain> <type> [--mac <string>] [--persistent] [--config] [--live] [--current] [--print-xml]\n\n' +
        '  DESCRIPTION\n    Detach network interface.\n\n' +
        '  OPTIONS\n' +
        '    [--domain] <string>  domain name, id or uuid\n' +
        '    [--type] <string>  network interface type\n' +
        '    --mac <string>   MAC address\n' +
        '    --persistent     make live change persistent\n' +
        '    --config         affect next boot\n' +
        '    --live           affect running domain\n' +
        '    --current        affect current domain\n' +
        '    --print-xml      print XML document rather than detach the interface\n\n\n',
    );
    expect((await cli('help', 'guest-exec')).stdout).toContain('    guest-exec <domain> {[--cmd] <string>}...\n');
    expect((await cli('help', 'domiflist')).stdout).toBe(
      '  NAME\n    domiflist - list all domain virtual interfaces\n\n  SYNOPSIS\n    domiflist <domain> [--inactive]\n\n' +
        '  DESCRIPTION\n    Get the summary of virtual interfaces for a domain.\n\n' +
        '  OPTIONS\n    [--domain] <string>  domain name, id or uuid\n    --inactive       get inactive rather than running configuration\n\n\n',
    );
  });
});

describe('a connection without guest support', () => {
  it('fails each guest command as libvirt fails an API its driver lacks', async () => {
    const net = await startTestDriver({ random: countingRandomness() });
    // A network driver has no guest API: each guest call fails as libvirt fails an API its driver lacks, NO_SUPPORT naming it.
    const lacks = (api: string) => () => Promise.reject(new VirError('NO_SUPPORT', api));
    const plain = Object.assign(driverClient(net.driver), {
      guestList: lacks('virConnectListAllDomains'),
      guestDefine: lacks('virDomainDefineXML'),
      guestLookupByName: lacks('virDomainLookupByName'),
      guestLookupByUuid: lacks('virDomainLookupByUUID'),
    });
    onTestFinished(() => net.dispose());
    const r = await runGuestCli(plain, ['list', '--all']);
    expect(r).toEqual(
      failed('error: Failed to list domains\nerror: this function is not supported by the connection driver: virConnectListAllDomains\n'),
    );
    expect(await runGuestCli(plain, ['define', 'fedora.xml'], { cwd: GUEST_XML_DIR })).toEqual(
      failed('error: Failed to define domain from fedora.xml\nerror: this function is not supported by the connection driver: virDomainDefineXML\n'),
    );
    expect(await runGuestCli(plain, ['dumpxml', 'x'])).toEqual(failed("error: failed to get domain 'x'\n"));
  });
});
