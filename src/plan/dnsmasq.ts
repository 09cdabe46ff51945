import type { NetworkDef } from '../conf/network/types.js';

export interface DnsmasqPlanOptions {
  /** Directory holding NAME.hostsfile and NAME.addnhosts (libvirt: /var/lib/libvirt/dnsmasq). */
  stateDir: string;
  /** pid-file= line; omitted when undefined. */
  pidFile?: string;
  /** The command named in the header ("virsh net-edit NAME"); default 'virtnet'. */
  editTool?: string;
  /** The product named in the header ("dnsmasq conf file created by libvirt"); default 'virtnet'. */
  product?: string;
}

export interface DnsmasqPlan {
  /** The conf file text. */
  conf: string;
  /** Static DHCP hosts, one line per host, each ending in \n ('' when none). */
  hostsfile: string;
  /** DNS hosts: IP<TAB>name<TAB>name... lines. */
  addnhosts: string;
}

/** Whether dnsmasq must run for this network (libvirt: any <ip> and (DHCP or TFTP or DNS enabled)). */
export function needsDnsmasq(def: NetworkDef): boolean {
  void def;
  throw new Error('not implemented');
}

/** Plan dnsmasq's conf, hostsfile and addnhosts for a network (libvirt's networkDnsmasqConfContents). */
export function planDnsmasq(def: NetworkDef, options: DnsmasqPlanOptions): DnsmasqPlan {
  void def;
  void options;
  throw new Error('not implemented');
}
