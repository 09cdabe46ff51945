/**
 * UDP port forwards with real datagrams, end to end: the built CLI against a
 * real `virtnetd --sandbox` whose uplink namespace stands for the world
 * outside (as ./forwards.test.ts does for TCP). The guest web answers every
 * datagram, on a connected socket of the sender, with the address it saw:
 * an answer proves DNAT on the way in and its undoing on the way back.
 *
 *   uplink (198.51.100.1) ── sandbox (198.51.100.2, the "host") ── vbr-udp ── web, peer
 *
 * It proves: a UDP forward (one port, a range) reaches web from outside,
 * from the host itself and from peer (hairpin); it opens UDP only, and a
 * TCP forward opens TCP only; it survives a daemon restart; removing it
 * closes the port; a forward of 53 on every address leaves the guests'
 * lookups to the network's dnsmasq; a change reaches a UDP flow the kernel
 * already tracks (its conntrack entry is forgotten); a client that keeps its
 * source port gets through again after a network restart (even one refused
 * while the network was down), keeps its path while virtnetd restarts, and
 * follows a forward to a guest's name to the guest's new address. Everything lives in
 * namespaces the daemon and the test make, removed at the end whatever happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForwardsLab } from './forwards-lab.js';
import { natXml } from '../support/network-testkit.js';
import { canUseNetns, inNetns } from './netns.js';
import { connect, exchangeUdp, lookup, startServer, startUdpKeepalive, startUdpServer, stopServers, type UdpKeepalive } from './runtime-fixture.js';
import { pollUntil } from '../support/poll.js';

const root = canUseNetns();

const NET = natXml('udpnat', '192.168.172', {
  bridge: 'vbr-udp',
  range: [10, 20],
  extra: "  <dns><host ip='192.168.172.50'><hostname>probe</hostname></host></dns>\n",
});

const HOST = '198.51.100.2';
const OUTSIDE = 'OK 198.51.100.1';
const GATEWAY = 'OK 192.168.172.1';

describe.skipIf(!root)('UDP port forwards with real datagrams through virtnetd --sandbox', () => {
  let lab: ForwardsLab;
  let webAddress: string;
  /** A datagram from `ns` to the host's port, and the answer. */
  const udpViaHost = (ns: string, port: string): string => exchangeUdp(ns, HOST, port);
  /** A TCP connection from `ns` to the host's port. */
  const tcpViaHost = (ns: string, port: string): string => connect(ns, HOST, port);

  /** net-forward-list's rows as [protocol, port, to address]. */
  async function listed(): Promise<string[][]> {
    const rows = (await lab.ok('net-forward-list', 'udpnat')).split('\n').slice(2);
    return rows
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(/\s+/))
      .map((c) => [c[0]!, c[2]!, c[5]!]);
  }

  beforeAll(async () => {
    lab = new ForwardsLab('udpnat', NET, '52:54:00:f1:00');
    await lab.serve();
    await lab.ok('net-define udpnat.xml; net-start udpnat; define web.xml; start web; define peer.xml; start peer');
    const leased = await lab.ok('-q', 'guest-exec', 'web', '--', 'dhcp', 'eth0');
    webAddress = /^eth0: (192\.168\.172\.\d+)\//.exec(leased)?.[1] ?? '';
    expect(webAddress, leased).not.toBe('');
    expect(await lab.ok('-q', 'guest-exec', 'peer', '--', 'dhcp', 'eth0')).toMatch(/^eth0: 192\.168\.172\.\d+\/24/);
    // web listens on each port it is forwarded to with UDP *and* TCP: only the forward decides what gets through.
    for (const port of ['5300', '2200', '6005', '53']) {
      await startUdpServer(lab.guestNs('web'), port);
      await startServer(lab.guestNs('web'), port);
    }
  }, 90_000);

  afterAll(async () => {
    stopServers();
    await lab?.end();
  }, 60_000);

  it('one UDP port reaches the guest from outside, from the host and from another guest (hairpin), and back', { timeout: 60_000 }, async () => {
    // web answers on its own address; the host's port is closed before the forward exists.
    expect(exchangeUdp(lab.guestNs('peer'), webAddress, '5300')).toMatch(/^OK 192\.168\.172\.\d+$/);
    expect(udpViaHost(lab.names.uplink, '5353')).toBe('ERR ECONNREFUSED');

    expect(await lab.run('net-forward-add', 'udpnat', '5353', 'web:5300', '--proto', 'udp')).toEqual({
      stdout: 'Port forward added to network udpnat persistent config and live state\n\n',
      stderr: '',
      rc: 0,
    });
    expect(await listed()).toEqual([['udp', '5353', webAddress]]);
    expect(await lab.ok('net-dumpxml', 'udpnat', '--inactive')).toContain('<virtnet:forward proto="udp" port="5353" to="web" toport="5300"/>');

    // From outside: the guest sees the real sender, and its answer comes back from the host's port.
    expect(udpViaHost(lab.names.uplink, '5353')).toBe(OUTSIDE);
    // From the host itself, to its own address.
    expect(udpViaHost(lab.names.netns, '5353')).toMatch(/^OK /);
    // From another guest of the network (hairpin): answered through the host.
    expect(udpViaHost(lab.guestNs('peer'), '5353')).toBe(GATEWAY);
    // The guest's own address stays out of the uplink's reach.
    expect(exchangeUdp(lab.names.uplink, webAddress, '5300')).not.toMatch(/^OK/);
  });

  it('a UDP forward opens no TCP port, a TCP forward no UDP port', { timeout: 60_000 }, async () => {
    expect(tcpViaHost(lab.names.uplink, '5353')).toBe('ERR ECONNREFUSED');
    expect(tcpViaHost(lab.guestNs('peer'), '5353')).toBe('ERR ECONNREFUSED');

    await lab.ok('net-forward-add', 'udpnat', '2222', 'web:2200');
    expect(tcpViaHost(lab.names.uplink, '2222')).toBe(OUTSIDE);
    expect(udpViaHost(lab.names.uplink, '2222')).toBe('ERR ECONNREFUSED');
    expect(udpViaHost(lab.guestNs('peer'), '2222')).toBe('ERR ECONNREFUSED');
    await lab.ok('net-forward-remove', 'udpnat', '2222');
  });

  it('a UDP range keeps the port, opens UDP only', { timeout: 60_000 }, async () => {
    expect(await lab.ok('net-forward-add', 'udpnat', '6000-6010', webAddress, '--proto', 'udp', '--live')).toBe(
      'Port forward added to network udpnat live state\n\n',
    );
    expect(await listed()).toContainEqual(['udp', '6000-6010', webAddress]);
    expect(udpViaHost(lab.names.uplink, '6005')).toBe(OUTSIDE);
    expect(udpViaHost(lab.guestNs('peer'), '6005')).toBe(GATEWAY);
    // Nothing listens on web's 6006: the guest's own refusal comes back through the forward.
    expect(udpViaHost(lab.names.uplink, '6006')).toBe('ERR ECONNREFUSED');
    expect(tcpViaHost(lab.names.uplink, '6005')).toBe('ERR ECONNREFUSED');
  });

  it('survives a daemon restart', { timeout: 90_000 }, async () => {
    lab.daemon.child.kill('SIGTERM');
    expect(await lab.daemon.exited).toBe(0);
    // No daemon: the kernel keeps forwarding.
    expect(udpViaHost(lab.names.uplink, '5353')).toBe(OUTSIDE);
    await lab.serve();
    expect(await listed()).toEqual([
      ['udp', '5353', webAddress],
      ['udp', '6000-6010', webAddress],
    ]);
    expect(udpViaHost(lab.names.uplink, '5353')).toBe(OUTSIDE);
    expect(udpViaHost(lab.names.uplink, '6005')).toBe(OUTSIDE);
    expect(udpViaHost(lab.guestNs('peer'), '5353')).toBe(GATEWAY);
  });

  it('removal closes the UDP ports', { timeout: 60_000 }, async () => {
    await lab.ok('net-forward-remove', 'udpnat', '6000-6010');
    expect(udpViaHost(lab.names.uplink, '6005')).toBe('ERR ECONNREFUSED');
    expect(await lab.run('net-forward-remove', 'udpnat', '5353')).toEqual({
      stdout: 'Port forward removed from network udpnat persistent config and live state\n\n',
      stderr: '',
      rc: 0,
    });
    expect(udpViaHost(lab.names.uplink, '5353')).toBe('ERR ECONNREFUSED');
    expect(udpViaHost(lab.guestNs('peer'), '5353')).toBe('ERR ECONNREFUSED');
    expect(await listed()).toEqual([]);
  });

  it("a forward of 53/udp on every address leaves the network's own DNS to its dnsmasq", { timeout: 60_000 }, async () => {
    const gateway = '192.168.172.1';
    expect(lookup(lab.guestNs('peer'), 'probe', gateway)).toEqual(['192.168.172.50']);
    await lab.ok('net-forward-add', 'udpnat', '53', 'web', '--proto', 'both');
    // The host's other addresses: web's DNS server.
    expect(udpViaHost(lab.names.uplink, '53')).toBe(OUTSIDE);
    expect(tcpViaHost(lab.names.uplink, '53')).toBe(OUTSIDE);
    // The network's own address: still its dnsmasq, for the guests' lookups over UDP and TCP alike.
    expect(lookup(lab.guestNs('peer'), 'probe', gateway)).toEqual(['192.168.172.50']);
    expect(lookup(lab.names.netns, 'probe', gateway)).toEqual(['192.168.172.50']);
    expect(exchangeUdp(lab.guestNs('peer'), gateway, '53')).not.toBe(GATEWAY);
    expect(connect(lab.guestNs('peer'), gateway, '53')).not.toBe(GATEWAY);
    // And virtnet doctor says so: only the network's dnsmasq answers DNS on its addresses.
    const doctor = await lab.run('doctor', 'udpnat');
    expect(doctor.stdout).toMatch(/\[ok {2}\] dns-port-taken /);
    await lab.ok('net-forward-remove', 'udpnat', '53');
  });

  it('a change reaches a flow that began before it: a client that keeps its source port follows the forward', { timeout: 60_000 }, async () => {
    // Refused before the forward exists: the kernel now tracks this flow, without DNAT.
    expect(exchangeUdp(lab.names.uplink, HOST, '5353', '40000')).toBe('ERR ECONNREFUSED');
    await lab.ok('net-forward-add', 'udpnat', '5353', 'web:5300', '--proto', 'udp');
    // The same client port reaches web once the forward is added (its tracked flow was forgotten).
    expect(exchangeUdp(lab.names.uplink, HOST, '5353', '40000')).toBe(OUTSIDE);
    // Removed: that flow, which went through, is refused like a new one.
    await lab.ok('net-forward-remove', 'udpnat', '5353');
    expect(exchangeUdp(lab.names.uplink, HOST, '5353', '40000')).toBe('ERR ECONNREFUSED');
    expect(exchangeUdp(lab.names.uplink, HOST, '5353', '40001')).toBe('ERR ECONNREFUSED');
  });

  it('the same for a wide range, whose tracked flows are listed once rather than asked for port by port', { timeout: 60_000 }, async () => {
    expect(exchangeUdp(lab.names.uplink, HOST, '6005', '40002')).toBe('ERR ECONNREFUSED');
    await lab.ok('net-forward-add', 'udpnat', '6000-6099', webAddress, '--proto', 'udp');
    expect(exchangeUdp(lab.names.uplink, HOST, '6005', '40002')).toBe(OUTSIDE);
    await lab.ok('net-forward-remove', 'udpnat', '6000-6099');
    expect(exchangeUdp(lab.names.uplink, HOST, '6005', '40002')).toBe('ERR ECONNREFUSED');
  });

  /** The kernel's tracked UDP flows from the uplink's port `from` to the host's `port`, as `conntrack -L -o id` lists them. */
  const trackedFlows = (from: string, port: string): string[] =>
    inNetns(lab.names.netns, 'conntrack', ['-L', '-f', 'ipv4', '-p', 'udp', '--orig-port-src', from, '--orig-port-dst', port, '-o', 'id'])
      .split('\n')
      .filter((l) => l.startsWith('udp'));
  /** What a tracked flow's reply direction shows when the forward took it to `address`'s port 5300. */
  const through = (address: string, from: string): string => `src=${address} dst=198.51.100.1 sport=5300 dport=${from} `;
  const idOf = (flow: string | undefined): string | undefined => /\bid=(\d+)/.exec(flow ?? '')?.[1];

  /**
   * Poll until a datagram from the uplink's source port `from` to the host's `port` comes back from web (a
   * network just started plugs its guests back in its own time); else fail with the last answer.
   */
  async function flowResumes(from: string, port: string): Promise<void> {
    let last = '';
    const answered = (): boolean => {
      last = exchangeUdp(lab.names.uplink, HOST, port, from);
      return last === OUTSIDE;
    };
    await pollUntil(answered, { ms: 30_000, everyMs: 200 }).catch(() => undefined);
    expect(last, `the flow from source port ${from} to ${port}`).toBe(OUTSIDE);
  }

  /** Poll until `client` hears from web after its answer number `since`. */
  function answeredSince(client: UdpKeepalive, since: number, what: string): Promise<void> {
    return pollUntil(() => client.answers.slice(since).includes(OUTSIDE), { ms: 30_000, everyMs: 100, what });
  }

  it('after a network restart a UDP forward carries its flows again, one that the kernel tracked without it while the network was down too', {
    timeout: 120_000,
  }, async () => {
    await lab.ok('net-forward-add', 'udpnat', '5361', `${webAddress}:5300`, '--proto', 'udp');
    await lab.ok('net-forward-add', 'udpnat', '5362', 'web:5300', '--proto', 'udp');
    const flows: [string, string][] = [
      ['40010', '5361'],
      ['40011', '5361'],
      ['40012', '5362'],
    ];
    for (const [from, port] of flows) expect(exchangeUdp(lab.names.uplink, HOST, port, from)).toBe(OUTSIDE);

    await lab.ok('net-destroy', 'udpnat', '--force');
    // 40010 sends on while the network is down: the kernel still takes it to web's address (its tracked DNAT), where nothing answers.
    expect(exchangeUdp(lab.names.uplink, HOST, '5361', '40010')).not.toMatch(/^OK/);
    expect(trackedFlows('40010', '5361')).toEqual([expect.stringContaining(through(webAddress, '40010'))]);
    // 40011 and 40012 were quiet longer than the kernel's UDP timeout (the test drops their entries, as the kernel would)
    // and send again while the network is down: refused, and now tracked without the forward, for as long as they keep sending.
    for (const [from, port] of flows.slice(1)) {
      inNetns(lab.names.netns, 'conntrack', ['-D', '-f', 'ipv4', '-p', 'udp', '--orig-port-src', from, '--orig-port-dst', port]);
      expect(exchangeUdp(lab.names.uplink, HOST, port, from)).toBe('ERR ECONNREFUSED');
      expect(trackedFlows(from, port)).toEqual([expect.stringContaining(`[UNREPLIED] src=${HOST} dst=198.51.100.1 sport=${port} dport=${from} `)]);
    }

    await lab.ok('net-start', 'udpnat');
    // Each flow, from the same source port, reaches web again, through the forward.
    for (const [from, port] of flows) {
      await flowResumes(from, port);
      expect(trackedFlows(from, port)).toEqual([expect.stringContaining(through(webAddress, from))]);
    }
    await lab.ok('net-forward-remove', 'udpnat', '5361');
    await lab.ok('net-forward-remove', 'udpnat', '5362');
  });

  it('a live UDP flow keeps its path while virtnetd restarts, the network left running', { timeout: 120_000 }, async () => {
    await lab.ok('net-forward-add', 'udpnat', '5363', 'web:5300', '--proto', 'udp');
    // A client that sends on from port 40020 throughout, as a WireGuard peer does.
    const client = await startUdpKeepalive(lab.names.uplink, HOST, '5363', '40020');
    await answeredSince(client, 0, 'the first answer');
    const [flow] = trackedFlows('40020', '5363');
    expect(flow).toContain(through(webAddress, '40020'));

    lab.daemon.child.kill('SIGTERM');
    expect(await lab.daemon.exited).toBe(0);
    await answeredSince(client, client.answers.length, 'an answer with no virtnetd');
    await lab.serve();
    expect(await listed()).toContainEqual(['udp', '5363', webAddress]);
    await answeredSince(client, client.answers.length, 'an answer once virtnetd is back');
    // The kernel's entry of the flow is the one it had before: virtnetd's start left it alone (no moment without the forward).
    const [after] = trackedFlows('40020', '5363');
    expect(after).toContain(through(webAddress, '40020'));
    expect(idOf(after)).toBe(idOf(flow));
    expect(client.answers.filter((a) => a !== OUTSIDE)).toEqual([]);
    client.stop();
    await lab.ok('net-forward-remove', 'udpnat', '5363');
  });

  it("a forward to a guest's name takes a live UDP flow to the guest's new address, the client keeping its source port", {
    timeout: 120_000,
  }, async () => {
    await lab.ok('net-forward-add', 'udpnat', '5364', 'web:5300', '--proto', 'udp');
    const client = await startUdpKeepalive(lab.names.uplink, HOST, '5364', '40030');
    await answeredSince(client, 0, 'the first answer');
    expect(trackedFlows('40030', '5364')).toEqual([expect.stringContaining(through(webAddress, '40030'))]);

    // web gets a reservation at another address, and takes it when it renews its lease.
    const moved = '192.168.172.60';
    await lab.ok(
      'net-update',
      'udpnat',
      'add-last',
      'ip-dhcp-host',
      `<host mac='52:54:00:f1:00:01' name='web' ip='${moved}'/>`,
      '--live',
      '--config',
    );
    expect(await lab.ok('-q', 'guest-exec', 'web', '--', 'dhcp', 'eth0')).toMatch(/^eth0: 192\.168\.172\.60\/24 /);
    await pollUntil(async () => (await listed()).some(([, port, to]) => port === '5364' && to === moved), {
      ms: 30_000,
      everyMs: 200,
      what: `the forward to follow web to ${moved}`,
    });
    // The same flow, from the same source port, now goes to web's new address.
    const since = client.answers.length;
    await pollUntil(
      () => client.answers.slice(since).includes(OUTSIDE) && trackedFlows('40030', '5364').some((f) => f.includes(through(moved, '40030'))),
      {
        ms: 30_000,
        everyMs: 200,
        what: `the flow from port 40030 to reach web at ${moved}`,
      },
    );
    client.stop();
    await lab.ok('net-forward-remove', 'udpnat', '5364');
  });
});
