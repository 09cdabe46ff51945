/**
 * The lab's shape (`virtnet lab start`): every name, address and directory
 * of an N-host OVN lab in namespaces on one machine, from its directory
 * alone. Pure.
 *
 *   PFX-u    underlay: Linux bridge br-u, one veth per host and one to central
 *   PFX-c    OVN central: northbound + southbound ovsdb-servers, ovn-northd;
 *            eth0 192.0.2.2/24
 *   PFX-hI   host I: eth0 (underlay) in the OVS bridge br-phy, which carries
 *            192.0.2.(10+I)/24; ext0 (uplink) in br-ext, physical network
 *            'uplink'; br-int; its own ovsdb-server, ovs-vswitchd,
 *            ovn-controller; its own virtnetd (--netns PFX-hI) whose guests
 *            live in PFX-hI-g-NAME
 *   PFX-up   the uplink, standing in for the outside world: Linux bridge br-up
 *            with 198.51.100.1/24, one veth per host (as the sandbox's uplink)
 *
 * PFX is `vl-` and 8 hex digits of the directory's hash, so labs in two
 * directories never meet, and everything named PFX-… belongs to this lab.
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { ovsDirs, type OvsDirs } from '../ovn/daemons.js';

export const DEFAULT_LAB_DIR = '/tmp/virtnet-lab';
export const MAX_LAB_HOSTS = 9;
/** The physical network name of the uplink on every host (ovn-bridge-mappings uplink:br-ext). */
export const LAB_PHYSNET = 'uplink';
export const LAB_UPLINK_GATEWAY = '198.51.100.1';
export const LAB_UPLINK_PREFIX = 24;

export interface LabHost {
  index: number;
  /** The chassis name (system-id). */
  name: string;
  netns: string;
  dir: string;
  ovs: OvsDirs;
  /** unix:… of this host's Open_vSwitch database. */
  ovsDb: string;
  encapIp: string;
  /** The underlay NIC inside the host (a port of br-phy). */
  underlayNic: string;
  /** The uplink NIC inside the host (a port of br-ext). */
  uplinkNic: string;
  uplinkBridge: string;
  /** The host's veth ends in the underlay and uplink namespaces. */
  underlayPeer: string;
  uplinkPeer: string;
  /** virtnetd's --root. */
  virtnetRoot: string;
  /** virtnetd's read-write socket. */
  socket: string;
}

export interface LabLayout {
  dir: string;
  prefix: string;
  stateFile: string;
  underlay: { netns: string; bridge: string; prefix: number };
  central: {
    netns: string;
    dir: string;
    ovs: OvsDirs;
    address: string;
    nic: string;
    peer: string;
    /** unix:… sockets, reachable from any namespace of this machine. */
    northbound: string;
    southbound: string;
    /** What ovn-controllers use, over the underlay. */
    southboundTcp: string;
    northboundTcp: string;
  };
  uplink: { netns: string; bridge: string; address: string; prefix: number };
  hosts: LabHost[];
}

export function labPrefix(dir: string): string {
  return `vl-${createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 8)}`;
}

export function labLayout(dirText: string, hostCount: number): LabLayout {
  const dir = resolve(dirText);
  const prefix = labPrefix(dir);
  const centralDir = join(dir, 'central');
  const centralOvs = ovsDirs(centralDir);
  const hosts: LabHost[] = [];
  for (let i = 1; i <= hostCount; i++) {
    const hdir = join(dir, `h${i}`);
    const ovs = ovsDirs(hdir);
    const virtnetRoot = join(hdir, 'virtnet');
    hosts.push({
      index: i,
      name: `h${i}`,
      netns: `${prefix}-h${i}`,
      dir: hdir,
      ovs,
      ovsDb: `unix:${join(ovs.run, 'db.sock')}`,
      encapIp: `192.0.2.${10 + i}`,
      underlayNic: 'eth0',
      uplinkNic: 'ext0',
      uplinkBridge: 'br-ext',
      underlayPeer: `h${i}`,
      uplinkPeer: `h${i}`,
      virtnetRoot,
      socket: join(virtnetRoot, 'run/virtnet/virtnetd.sock'),
    });
  }
  return {
    dir,
    prefix,
    stateFile: join(dir, 'lab.json'),
    underlay: { netns: `${prefix}-u`, bridge: 'br-u', prefix: 24 },
    central: {
      netns: `${prefix}-c`,
      dir: centralDir,
      ovs: centralOvs,
      address: '192.0.2.2',
      nic: 'eth0',
      peer: 'c',
      northbound: `unix:${join(centralOvs.run, 'ovnnb_db.sock')}`,
      southbound: `unix:${join(centralOvs.run, 'ovnsb_db.sock')}`,
      northboundTcp: 'tcp:192.0.2.2:6641',
      southboundTcp: 'tcp:192.0.2.2:6642',
    },
    uplink: { netns: `${prefix}-up`, bridge: 'br-up', address: LAB_UPLINK_GATEWAY, prefix: LAB_UPLINK_PREFIX },
    hosts,
  };
}
