/**
 * The host layer's cheap paths, without root: facts read from procfs
 * (src/host/proc-net.ts), link deletions that skip what a bridge's deletion
 * does anyway and delete several links in one request (link-delete.ts), and
 * several namespace steps run as one process (ns-script.ts), driven through
 * a scripted command runner standing in for ip and sh.
 */
import { describe, expect, it } from 'vitest';
import { deleteLinksTogether, splitLinkDeletions } from '../../src/host/link-delete.js';
import type { UndoLine } from '../../src/host/link-ops.js';
import type { BatchOutcome, BatchRunner } from '../../src/host/link-transaction.js';
import { nsScript, runNsScript } from '../../src/host/ns-script.js';
import { parseProcNetDev, parseProcNetRoute } from '../../src/host/proc-net.js';
import { ScriptedRunner } from './support/scripted-runner.js';
import { ipv6ConfKey } from '../../src/host/sysctl.js';

class ScriptedBatches implements BatchRunner {
  readonly batches: string[][] = [];
  constructor(private readonly replies: Partial<BatchOutcome>[] = []) {}
  async runBatch(_netns: string | null, lines: readonly (readonly string[])[]): Promise<BatchOutcome> {
    this.batches.push(lines.map((l) => l.join(' ')));
    return { failures: [], known: true, stderr: '', ...this.replies.shift() };
  }
}

describe('procfs facts', () => {
  // Captured from a namespace on x86-64 (little-endian): a default route, a gateway route
  // with a metric, two bridges' subnets, a host route, a blackhole and an unreachable route.
  const ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t0102000A\t0003\t0\t0\t0\t00000000\t0\t0\t0
vbr1\t0046A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
vbr1\t0000460A\t0246A8C0\t0003\t0\t0\t100\t0000FFFF\t0\t0\t0
eth0\t0500000A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0
*\t0000630A\t00000000\t0201\t0\t0\t0\t0000FFFF\t0\t0\t0
lo\t0000620A\t00000000\t0201\t0\t0\t0\t0000FFFF\t0\t0\t0
`;

  it('reads /proc/net/route as route records of the main table', () => {
    expect(parseProcNetRoute(ROUTE, true)).toEqual([
      { family: 'ipv4', dst: '0.0.0.0', prefix: 0, type: 'unicast', table: 'main', dev: 'eth0', gateway: '10.0.2.1' },
      { family: 'ipv4', dst: '192.168.70.0', prefix: 24, type: 'unicast', table: 'main', dev: 'vbr1' },
      { family: 'ipv4', dst: '10.70.0.0', prefix: 16, type: 'unicast', table: 'main', dev: 'vbr1', gateway: '192.168.70.2', metric: 100 },
      { family: 'ipv4', dst: '10.0.0.5', prefix: 32, type: 'unicast', table: 'main', dev: 'eth0' },
      { family: 'ipv4', dst: '10.99.0.0', prefix: 16, type: 'unreachable', table: 'main' },
      { family: 'ipv4', dst: '10.98.0.0', prefix: 16, type: 'unreachable', table: 'main', dev: 'lo' },
    ]);
  });

  it('reads the byte order of big-endian machines too, and skips lines it cannot read', () => {
    const be = `Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT
vbr1\tC0A84600\t00000000\t0001\t0\t0\t0\tFFFFFF00\t0\t0\t0
vbr2\tnothex\t00000000\t0001\t0\t0\t0\tFFFFFF00\t0\t0\t0
vbr3\tC0A84700\t00000000\t0001\t0\t0\t0\tFF00FF00\t0\t0\t0
short line
`;
    expect(parseProcNetRoute(be, false)).toEqual([{ family: 'ipv4', dst: '192.168.70.0', prefix: 24, type: 'unicast', table: 'main', dev: 'vbr1' }]);
  });

  it('reads device names from /proc/net/dev', () => {
    const dev = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
 virbr0:    1234      10    0    0    0     0          0         0     5678      20    0    0    0     0       0          0
eth0.100:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
`;
    expect(parseProcNetDev(dev)).toEqual(['lo', 'virbr0', 'eth0.100']);
  });
});

describe('link deletions', () => {
  const here = (...args: string[]): UndoLine => ({ netns: 'ns1', args });

  it("drops the undo lines a bridge's deletion makes pointless: link down, its addresses, routes through it", () => {
    const undo = [
      here('route', 'del', '10.70.0.0/16', 'via', '192.168.70.2', 'dev', 'vbr7'),
      here('link', 'set', 'dev', 'vbr7', 'down'),
      here('addr', 'del', '192.168.70.1/24', 'dev', 'vbr7'),
      here('addr', 'del', '10.1.1.1/24', 'dev', 'other0'),
      here('link', 'del', 'dev', 'vbr7'),
    ];
    expect(splitLinkDeletions(undo, 'ns1')).toEqual({ deletes: ['vbr7'], rest: [here('addr', 'del', '10.1.1.1/24', 'dev', 'other0')] });
  });

  it('leaves a script of any other shape alone', () => {
    const noDelete = [here('link', 'set', 'dev', 'vbr7', 'down')];
    expect(splitLinkDeletions(noDelete, 'ns1')).toEqual({ deletes: [], rest: noDelete });
    // Something to run after a deletion, or a deletion in another namespace: as it is.
    const after = [here('link', 'del', 'dev', 'vbr7'), here('addr', 'del', '10.1.1.1/24', 'dev', 'other0')];
    expect(splitLinkDeletions(after, 'ns1')).toEqual({ deletes: [], rest: after });
    const elsewhere = [{ netns: 'ns2', args: ['link', 'del', 'dev', 'vbr7'] }];
    expect(splitLinkDeletions(elsewhere, 'ns1')).toEqual({ deletes: [], rest: elsewhere });
  });

  it('deletes links through one link group, even one link (so that the kernel reports it closed at once)', async () => {
    const one = new ScriptedBatches();
    expect(await deleteLinksTogether(one, ['vbr1'], 'ns1', 1234567890)).toEqual({ failures: [] });
    expect(one.batches).toEqual([['link set dev vbr1 group 1234567890', 'link del group 1234567890']]);
    const none = new ScriptedBatches();
    expect(await deleteLinksTogether(none, [], 'ns1', 1234567890)).toEqual({ failures: [] });
    expect(none.batches).toEqual([]);

    const many = new ScriptedBatches();
    expect(await deleteLinksTogether(many, ['vbr1', 'vbr2', 'vbr1', 'vbr3'], 'ns1', 1234567890)).toEqual({ failures: [] });
    expect(many.batches).toEqual([
      ['link set dev vbr1 group 1234567890', 'link set dev vbr2 group 1234567890', 'link set dev vbr3 group 1234567890', 'link del group 1234567890'],
    ]);
  });

  it('counts links already gone as deleted, and deletes one by one what the group could not take', async () => {
    const gone = new ScriptedBatches([{ failures: [{ line: 2, reason: 'Cannot find device "vbr2"' }] }]);
    expect(await deleteLinksTogether(gone, ['vbr1', 'vbr2'], 'ns1', 7)).toEqual({ failures: [] });
    expect(gone.batches).toHaveLength(1);

    const refused = new ScriptedBatches([
      { failures: [{ line: 1, reason: 'Operation not permitted' }] },
      { failures: [{ line: 1, reason: 'Operation not permitted' }] },
    ]);
    expect(await deleteLinksTogether(refused, ['vbr1', 'vbr2'], 'ns1', 7)).toEqual({
      failures: [{ line: { netns: 'ns1', args: ['link', 'del', 'dev', 'vbr1'] }, reason: 'Operation not permitted' }],
    });
    expect(refused.batches[1]).toEqual(['link del dev vbr1']);

    const groupFailed = new ScriptedBatches([{ failures: [{ line: 3, reason: 'Operation not supported' }] }, {}]);
    expect(await deleteLinksTogether(groupFailed, ['vbr1', 'vbr2'], 'ns1', 7)).toEqual({ failures: [] });
    expect(groupFailed.batches[1]).toEqual(['link del dev vbr1', 'link del dev vbr2']);
  });
});

describe('steps in one process', () => {
  const steps = [
    {
      kind: 'sysctls' as const,
      entries: [
        { key: ipv6ConfKey('vbr1', 'disable_ipv6'), value: '1' },
        { key: 'net.ipv4.ip_forward', value: '1' },
      ],
    },
    { kind: 'command' as const, argv: ['ethtool', '-K', 'vbr1', 'tx', 'off'], what: "Cannot turn off transmit checksum offload on 'vbr1'" },
    { kind: 'command' as const, argv: ['ip', 'link', 'set', 'dev', 'vbr1', 'up'], what: "Cannot set interface flags on 'vbr1'" },
  ];

  it('runs sysctl writes and commands in order in one sh in the namespace', async () => {
    const runner = new ScriptedRunner();
    expect(await runNsScript(runner, 'ns1', steps)).toEqual({ sysctlsPresent: [[true, true]] });
    expect(runner.calls).toHaveLength(1);
    expect(runner.calls[0]?.argv.slice(0, 4)).toEqual(['nsenter', '--net=/run/netns/ns1', 'sh', '-c']);
    const script = nsScript(steps).split('\n');
    expect(script[0]).toBe('st=0');
    expect(script[1]).toContain("printf '%s\\n' '1' > '/proc/sys/net/ipv6/conf/vbr1/disable_ipv6'");
    expect(script[3]).toBe(`out=$('ethtool' '-K' 'vbr1' 'tx' 'off' 2>&1) || { printf '%s %d\\n%s\\n' '@@virtnet-step-failed' 1 "$out"; exit 2; }`);
    expect(script[4]).toContain(`out=$('ip' 'link' 'set' 'dev' 'vbr1' 'up' 2>&1)`);
    expect(script.at(-1)).toBe('exit $st');
  });

  it("reports a failing command with its own words and libvirt's prefix; a missing key as absent", async () => {
    const failing = new ScriptedRunner([{ exitCode: 2, stdout: '@@virtnet-step-failed 2\nCannot find device "vbr1"\n' }]);
    await expect(runNsScript(failing, 'ns1', steps)).rejects.toThrow(`Cannot set interface flags on 'vbr1': Cannot find device "vbr1"`);

    const missing = new ScriptedRunner([{ exitCode: 1, stderr: 'tee: /proc/sys/net/ipv6/conf/vbr1/disable_ipv6: No such file or directory\n' }]);
    expect(await runNsScript(missing, 'ns1', steps)).toEqual({ sysctlsPresent: [[false, true]] });

    const denied = new ScriptedRunner([{ exitCode: 1, stderr: 'tee: /proc/sys/net/ipv4/ip_forward: Permission denied\n' }]);
    await expect(runNsScript(denied, 'ns1', steps)).rejects.toThrow("cannot write to '/proc/sys/net/ipv4/ip_forward': Permission denied");

    const broken = new ScriptedRunner([{ exitCode: 127, stderr: 'sh: not found\n' }]);
    await expect(runNsScript(broken, 'ns1', steps)).rejects.toThrow('cannot run commands in the namespace');
  });
});
