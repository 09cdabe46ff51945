/**
 * The interface pool of a macvtap-mode or hostdev network given as
 * `<forward><pf dev='ethX'/></forward>` without its own `<interface>` or
 * `<address>` list (libvirt's networkCreateInterfacePool): the SR-IOV
 * virtual functions of the PF, read from sysfs
 * (/sys/class/net/PF/device/virtfnN). The macvtap modes take the VFs'
 * netdev names (a VF bound to no network driver is skipped); hostdev takes
 * their PCI addresses. libvirt's texts: "Could not get Virtual functions on
 * PF" and "No usable Vf's present on SRIOV PF PF".
 *
 * sysfs is read in this process's mount namespace: it shows the devices of
 * the namespace /sys was mounted for, which is where PFs live.
 */
import { readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ForwardInterface, ForwardMode } from '../../conf/network/types.js';
import { internalError } from '../../util/errors.js';

const PCI = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i;

export async function buildInterfacePool(pf: string, mode: ForwardMode, sysClassNet = '/sys/class/net'): Promise<ForwardInterface[]> {
  const device = join(sysClassNet, pf, 'device');
  let entries: string[];
  try {
    entries = (await readdir(device)).filter((e) => /^virtfn\d+$/.test(e));
  } catch {
    throw internalError(`Could not get Virtual functions on ${pf}`);
  }
  entries.sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
  const pool: ForwardInterface[] = [];
  for (const vf of entries) {
    if (mode === 'hostdev') {
      const m = PCI.exec(basename(await readlink(join(device, vf)).catch(() => '')));
      if (!m) continue;
      pool.push({
        type: 'pci',
        address: {
          domain: parseInt(m[1] as string, 16),
          bus: parseInt(m[2] as string, 16),
          slot: parseInt(m[3] as string, 16),
          function: Number(m[4]),
        },
        connections: 0,
      });
    } else {
      const names = await readdir(join(device, vf, 'net')).catch(() => [] as string[]);
      if (names[0] !== undefined) pool.push({ type: 'netdev', dev: names[0], connections: 0 });
    }
  }
  if (pool.length === 0) throw internalError(`No usable Vf's present on SRIOV PF ${pf}`);
  return pool;
}
