/** dnsmasq's lease file as typed DhcpLease records (src/driver/runtime/leases.ts). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { macFromDuid, parseLeaseFile, readLeases } from '../../src/driver/runtime/leases.js';

const FILE = [
  '1900000000 52:54:00:AA:00:01 192.168.70.11 alpha 01:52:54:00:aa:00:01',
  '0 52:54:00:aa:00:02 192.168.70.12 * *',
  '1000 52:54:00:aa:00:03 192.168.70.13 expired *',
  'garbage line',
  'duid 00:01:00:01:2c:00:00:01:52:54:00:00:00:99',
  '1900000001 12345 fd00:70::11 beta 00:01:00:01:2c:01:02:03:52:54:00:aa:00:04',
  '1900000002 T777 fd00:70::12 * 00:04:aa:bb',
  '',
].join('\n');

describe('dnsmasq lease file', () => {
  const opts = { iface: 'vbr7', prefix4: 24, prefix6: 64, now: 1_800_000_000 };

  it('reads IPv4 and IPv6 leases, drops expired ones, maps * to absent, and keeps infinite (0) leases', () => {
    expect(parseLeaseFile(FILE, opts)).toEqual([
      {
        iface: 'vbr7',
        expiryTime: 1900000000,
        protocol: 'ipv4',
        mac: '52:54:00:aa:00:01',
        ipAddress: '192.168.70.11',
        prefix: 24,
        hostname: 'alpha',
        clientId: '01:52:54:00:aa:00:01',
      },
      { iface: 'vbr7', expiryTime: 0, protocol: 'ipv4', mac: '52:54:00:aa:00:02', ipAddress: '192.168.70.12', prefix: 24 },
      {
        iface: 'vbr7',
        expiryTime: 1900000001,
        protocol: 'ipv6',
        mac: '52:54:00:aa:00:04',
        ipAddress: 'fd00:70::11',
        prefix: 64,
        iaid: '12345',
        hostname: 'beta',
        clientId: '00:01:00:01:2c:01:02:03:52:54:00:aa:00:04',
      },
      {
        iface: 'vbr7',
        expiryTime: 1900000002,
        protocol: 'ipv6',
        mac: '',
        ipAddress: 'fd00:70::12',
        prefix: 64,
        iaid: '777',
        clientId: '00:04:aa:bb',
      },
    ]);
  });

  it('takes the MAC out of link-layer DUIDs only', () => {
    expect(macFromDuid('00:03:00:01:52:54:00:12:34:56')).toBe('52:54:00:12:34:56');
    expect(macFromDuid('00:01:00:01:2c:01:02:03:52:54:00:12:34:56')).toBe('52:54:00:12:34:56');
    expect(macFromDuid('00:02:00:00:ab:11:01:02')).toBeUndefined();
    expect(macFromDuid('00:03:00:06:52:54:00:12:34:56')).toBeUndefined();
  });

  it("a missing file is no leases; the prefix is the network's <ip> of the lease's family", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vnt-leases-'));
    try {
      const def = parseNetworkXml(`<network><name>l</name><bridge name='vbr7'/><ip address='192.168.70.1' netmask='255.255.254.0'/></network>`);
      expect(await readLeases(join(dir, 'none.leases'), def, 'vbr7')).toEqual([]);
      writeFileSync(join(dir, 'l.leases'), '0 52:54:00:aa:00:02 192.168.70.12 * *\n');
      const [lease] = await readLeases(join(dir, 'l.leases'), def, 'vbr7');
      expect(lease?.prefix).toBe(23);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
