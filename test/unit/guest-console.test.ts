import { describe, expect, it } from 'vitest';
import { guestReportLines } from '../support/guest-console.js';

describe("a test guest's console report", () => {
  it('finds the first line when only a firmware terminal reset separates it from the line before (CI, 2026-12-06)', () => {
    const console =
      '\x1bc\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n\r\nBooting from ROM..\x1bc\x1b[?7l\x1b[2JNIC eth0 mac=52:54:00:00:00:01\r\n' +
      'LEASE eth0 ip=192.168.120.10 router=192.168.120.1 dns=192.168.120.1\r\nPING 198.51.100.1 ok\r\nGUEST DONE\r\n[    4.769399] reboot: Power down\r\n';
    expect(guestReportLines(console)).toEqual([
      'NIC eth0 mac=52:54:00:00:00:01',
      'LEASE eth0 ip=192.168.120.10 router=192.168.120.1 dns=192.168.120.1',
      'PING 198.51.100.1 ok',
      'GUEST DONE',
    ]);
  });

  it('leaves out kernel messages and lines that only mention a report word', () => {
    expect(guestReportLines('[ 1.0] virtio_net: NIC up\nNICE day\nNOLEASE eth0\n')).toEqual(['NOLEASE eth0']);
  });
});
