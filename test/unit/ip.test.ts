import { describe, expect, it } from 'vitest';
import { canonicalIp, parseIp, prefixFromNetmask, ipPrefixOf, inSubnet, broadcastOf, networkOf, formatIp } from '../../src/util/ip.js';
import { expectEach } from './support/expect-each.js';

describe('ip', () => {
  it('writes IPv6 as inet_ntop does', () => {
    expectEach(canonicalIp, {
      '2001:0DB8:ac10:fe01:0:0:0:1': '2001:db8:ac10:fe01::1',
      'fd8f:1391:3a82:150::c0a8:9603': 'fd8f:1391:3a82:150::c0a8:9603',
      '1:0:1:0:1:0:1:0': '1:0:1:0:1:0:1:0',
      '::': '::',
      '::1': '::1',
      'fe80::': 'fe80::',
      '::ffff:10.0.0.1': '::ffff:10.0.0.1',
      '1:0:0:2:0:0:0:3': '1:0:0:2::3',
    });
  });
  it('rejects what is not an address', () => {
    for (const bad of ['1.2.3', '256.1.1.1', '1::2::3', 'x', '', '1:2:3:4:5:6:7:8:9', '01.2.3.4.5']) expect(parseIp(bad)).toBeUndefined();
  });
  it('computes prefixes, networks and membership', () => {
    expect(prefixFromNetmask(parseIp('255.255.255.0')!)).toBe(24);
    expect(prefixFromNetmask(parseIp('255.0.255.0')!)).toBeUndefined();
    expect(ipPrefixOf(parseIp('10.24.10.1')!, undefined, undefined)).toBe(8);
    expect(ipPrefixOf(parseIp('172.16.0.1')!, undefined, undefined)).toBe(16);
    expect(ipPrefixOf(parseIp('192.168.1.1')!, undefined, undefined)).toBe(24);
    const a = parseIp('192.168.122.77')!;
    expect(formatIp(networkOf(a, 24))).toBe('192.168.122.0');
    expect(formatIp(broadcastOf(a, 24))).toBe('192.168.122.255');
    expect(inSubnet(parseIp('192.168.122.9')!, a, 24)).toBe(true);
    expect(inSubnet(parseIp('192.168.123.9')!, a, 24)).toBe(false);
  });
});
