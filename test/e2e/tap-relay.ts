/**
 * A hypervisor stand-in for the DHCP checksum tests (firewall, runtime-checksum): a tap on the host
 * bridge (vnet header on; offload `on` as qemu sets it for virtio-net, `off` as for an emulated
 * e1000) and a tap eth0 in the guest namespace. Frames are copied both ways; the vnet header, and
 * with it the kernel's "checksum not ready" flag, is dropped on the way to the guest, which is what
 * a guest sees when its NIC does not honour that flag: its DHCP client checks the UDP checksum
 * exactly as it is on the wire. A frame whose other side is down is dropped, as a hypervisor does.
 * Also Debian's dhclient, run once, the other real client those tests use.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startUntil } from './runtime-fixture.js';

const relayCode = `
import ctypes, fcntl, os, select, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
def enter(ns):
    fd = os.open('/run/netns/' + ns, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:
        raise OSError(ctypes.get_errno(), 'setns ' + ns)
    os.close(fd)
def tap(name, vnet_hdr):
    fd = os.open('/dev/net/tun', os.O_RDWR)
    flags = 0x0002 | 0x1000 | (0x4000 if vnet_hdr else 0)   # IFF_TAP | IFF_NO_PI | IFF_VNET_HDR
    fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH22x', name.encode(), flags))   # TUNSETIFF
    return fd
host_ns, host_tap, guest_ns, offload = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == 'on'
enter(host_ns)
h = tap(host_tap, True)
fcntl.ioctl(h, 0x400454d0, 1 if offload else 0)   # TUNSETOFFLOAD: TUN_F_CSUM or nothing
enter(guest_ns)
g = tap('eth0', False)
print('ready', flush=True)
def copy(src, dst, strip, prefix):
    try:
        os.write(dst, prefix + os.read(src, 65600)[strip:])
    except OSError:
        pass   # the other side is down: drop the frame
while True:
    r, _, _ = select.select([h, g], [], [])
    if h in r:
        copy(h, g, 10, b'')
    if g in r:
        copy(g, h, 0, bytes(10))
`;

/** Start the relay between `hostTap` (made in `hostNs`) and eth0 (made in `guestNs`); resolves once both taps exist. */
export function startTapRelay(hostNs: string, hostTap: string, guestNs: string, offload: 'on' | 'off'): Promise<ChildProcess> {
  return startUntil('python3', ['-c', relayCode, hostNs, hostTap, guestNs, offload], 'ready');
}

let runs = 0;

/** Debian's dhclient on eth0 in `ns`, one attempt of at most `timeoutS` s (its files in `dir`); whether it got a lease. It forks once bound, so it is ended by PID. */
export function dhclientOnce(ns: string, dir: string, timeoutS: number): boolean {
  const n = ++runs;
  const [cf, lf, pf] = ['conf', 'leases', 'pid'].map((x) => join(dir, `dhclient${n}.${x}`)) as [string, string, string];
  writeFileSync(cf, `timeout ${timeoutS};\nretry 1;\ninitial-interval 1;\n`);
  const r = spawnSync('ip', ['netns', 'exec', ns, 'dhclient', '-1', '-cf', cf, '-lf', lf, '-pf', pf, '-sf', '/bin/true', 'eth0'], {
    stdio: 'ignore',
    timeout: 20_000,
  });
  if (existsSync(pf)) {
    const pid = Number(readFileSync(pf, 'utf8').trim());
    if (pid > 1) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  return r.status === 0;
}
