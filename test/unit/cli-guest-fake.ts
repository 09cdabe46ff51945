/**
 * An in-memory client with guests, for the CLI's guest tests: the network
 * fake (cli-fake-client.ts) plus the guest driver's bookkeeping as libvirt
 * keeps a domain's (a live and a persistent definition, ids from 1, vnetN
 * targets and netN aliases on start, transient guests vanishing on
 * destroy), built on the real guest XML layer (parse, MAC allocation,
 * add/remove interface, format). virDomainModificationImpact is libvirt's:
 * no flag means live if running, else config; live on a stopped guest and
 * config on a transient one are refused with libvirt's texts. A vNIC on a
 * network needs that network to exist and be active (libvirt's
 * networkAllocatePort). Networks with running guests attached refuse
 * destroy and undefine without `force`, with the guest driver's text.
 *
 * guest-exec runs `execHandler`, bridge-show reports the active networks'
 * bridges with the running guests' vNICs as ports. Nothing touches the host.
 */
import { addInterface, parseInterfaceXml, removeInterface } from '../../src/conf/guest/devices.js';
import { formatGuestXml } from '../../src/conf/guest/format.js';
import { assignMissingMacs, collectGuestMacs, generateGuestMac, macTextsEqual } from '../../src/conf/guest/mac.js';
import { parseGuestXml } from '../../src/conf/guest/parse.js';
import type { GuestDef, GuestInterface as IfaceDef } from '../../src/conf/guest/types.js';
import type {
  AffectFlags,
  BridgePorts,
  GuestDriverApi,
  GuestExecResult,
  GuestInfo,
  GuestInterface,
  GuestInterfaceAddress,
  GuestListFilter,
} from '../../src/contract/guest-api.js';
import { VirError } from '../../src/util/errors.js';
import { FakeClient } from './cli-fake-client.js';

interface GuestObj {
  /** The live definition while running, else the persistent one. */
  def: GuestDef;
  /** The persistent definition while running. */
  newDef?: GuestDef;
  active: boolean;
  persistent: boolean;
}

/** The `force` of net-destroy / net-undefine (the driver API's ForceOptions). */
interface ForceOptions {
  force?: boolean;
}

const notRunning = () => new VirError('OPERATION_INVALID', 'domain is not running');

export class FakeGuestClient extends FakeClient implements GuestDriverApi {
  readonly guests = new Map<string, GuestObj>();
  /** What guest-exec runs. */
  execHandler: (guest: string, argv: string[]) => GuestExecResult = (_g, argv) => ({ exitCode: 0, stdout: `${argv.join(' ')}\n`, stderr: '' });
  /**
   * Write what libvirt's qemu driver adds to a running guest's vNICs (the
   * netN alias, the network's bridge on <source>). Off, the live XML is
   * the test driver's (the golden files come from it).
   */
  readonly liveDetails: boolean;
  private guestUuids = 0;
  private macBytes = 0;
  private nextId = 1;
  private nextTap = 0;

  constructor(options: { readonly?: boolean; liveDetails?: boolean } = {}) {
    super(options);
    this.liveDetails = options.liveDetails ?? true;
  }

  private nextGuestUuid = (): string => `a0000000-0000-4000-8000-${(++this.guestUuids).toString(16).padStart(12, '0')}`;

  private random = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    const c = ++this.macBytes;
    for (let i = 0; i < n; i++) out[i] = (c >> (8 * (n - 1 - i))) & 0xff;
    return out;
  };

  private guest(name: string): GuestObj {
    const g = this.guests.get(name);
    if (!g) throw new VirError('NO_DOMAIN', `no domain with matching name '${name}'`);
    return g;
  }

  private guestInfo(g: GuestObj): GuestInfo {
    const info: GuestInfo = { name: g.def.name, uuid: g.def.uuid, type: g.def.type, active: g.active, persistent: g.persistent };
    if (g.active && g.def.id !== undefined) info.id = g.def.id;
    const title = (g.newDef ?? g.def).title;
    if (title !== undefined) info.title = title;
    return info;
  }

  private allMacs(): Set<string> {
    const defs: GuestDef[] = [];
    for (const g of this.guests.values()) defs.push(g.def, ...(g.newDef ? [g.newDef] : []));
    return collectGuestMacs(defs);
  }

  /** networkAllocatePort's checks, and the live parts of a plugged vNIC. */
  private plug(iface: IfaceDef, index: number): IfaceDef {
    const out: IfaceDef = { ...iface };
    if (iface.type === 'network') {
      const net = this.nets.get(iface.source);
      if (!net) throw new VirError('NO_NETWORK', `no network with matching name '${iface.source}'`);
      if (!net.active) throw new VirError('OPERATION_INVALID', `network '${iface.source}' is not active`);
      if (net.def.bridge.name !== undefined && this.liveDetails) out.actualBridge = net.def.bridge.name;
    }
    out.target ??= `vnet${this.nextTap++}`;
    if (this.liveDetails) out.alias ??= `net${index}`;
    return out;
  }

  /** virDomainObjUpdateModificationImpact. */
  private impact(g: GuestObj, flags: AffectFlags): { live: boolean; config: boolean } {
    let live = flags.live === true;
    let config = flags.config === true;
    if (!live && !config) {
      if (g.active) live = true;
      else config = true;
    }
    if (live && !g.active) throw notRunning();
    if (config && !g.persistent) throw new VirError('OPERATION_INVALID', 'transient domains do not have any persistent config');
    return { live, config };
  }

  /** The running guests with a vNIC on the network, sorted. */
  guestsOn(network: string): string[] {
    return [...this.guests.values()]
      .filter((g) => g.active && g.def.interfaces.some((i) => i.type === 'network' && i.source === network))
      .map((g) => g.def.name)
      .sort();
  }

  private checkGuests(name: string, verb: string, options?: ForceOptions): void {
    const guests = this.guestsOn(name);
    if (options?.force !== true && guests.length > 0) {
      throw new VirError('OPERATION_INVALID', `network '${name}' has guests attached: ${guests.join(', ')} (use --force to ${verb} it anyway)`);
    }
  }

  override async destroy(name: string, options?: ForceOptions): Promise<void> {
    if (this.nets.has(name)) this.checkGuests(name, 'destroy', options);
    return super.destroy(name);
  }

  override async undefine(name: string, options?: ForceOptions): Promise<void> {
    if (this.nets.has(name)) this.checkGuests(name, 'undefine', options);
    return super.undefine(name);
  }

  override async guestLookupByName(name: string): Promise<GuestInfo> {
    return this.guestInfo(this.guest(name));
  }

  override async guestLookupByUuid(uuid: string): Promise<GuestInfo> {
    const g = [...this.guests.values()].find((o) => o.def.uuid === uuid);
    if (!g) throw new VirError('NO_DOMAIN', `no domain with matching uuid '${uuid}'`);
    return this.guestInfo(g);
  }

  override async guestList(filter: GuestListFilter = {}): Promise<GuestInfo[]> {
    const both = !filter.active && !filter.inactive;
    return [...this.guests.values()].filter((g) => both || (g.active ? filter.active : filter.inactive)).map((g) => this.guestInfo(g));
  }

  override async guestDefine(xml: string): Promise<GuestInfo> {
    let def = parseGuestXml(xml, { inactive: true, uuid: this.nextGuestUuid });
    const byUuid = [...this.guests.values()].find((g) => g.def.uuid === def.uuid);
    if (byUuid && byUuid.def.name !== def.name) {
      throw new VirError('OPERATION_FAILED', `domain '${byUuid.def.name}' is already defined with uuid ${def.uuid}`);
    }
    const byName = this.guests.get(def.name);
    if (byName && byName.def.uuid !== def.uuid) {
      throw new VirError('OPERATION_FAILED', `domain '${def.name}' already exists with uuid ${byName.def.uuid}`);
    }
    def = assignMissingMacs(def, this.allMacs(), this.random);
    if (byName) {
      if (byName.active) byName.newDef = def;
      else byName.def = def;
      byName.persistent = true;
      return this.guestInfo(byName);
    }
    const g: GuestObj = { def, active: false, persistent: true };
    this.guests.set(def.name, g);
    return this.guestInfo(g);
  }

  override async guestUndefine(name: string): Promise<void> {
    const g = this.guest(name);
    if (!g.persistent) throw new VirError('OPERATION_INVALID', 'cannot undefine transient domain');
    g.persistent = false;
    if (g.active) delete g.newDef;
    else this.guests.delete(name);
  }

  override async guestStart(name: string): Promise<void> {
    const g = this.guest(name);
    if (g.active) throw new VirError('OPERATION_INVALID', 'domain is already running');
    const config = g.def;
    const live: GuestDef = { ...structuredClone(config), interfaces: config.interfaces.map((i, n) => this.plug(i, n)), id: this.nextId++ };
    g.newDef = config;
    g.def = live;
    g.active = true;
  }

  override async guestDestroy(name: string): Promise<void> {
    const g = this.guest(name);
    if (!g.active) throw notRunning();
    g.active = false;
    if (!g.persistent) {
      this.guests.delete(name);
      return;
    }
    g.def = g.newDef ?? g.def;
    delete g.newDef;
  }

  private defFor(g: GuestObj, inactive: boolean | undefined): GuestDef {
    return inactive && g.newDef ? g.newDef : g.def;
  }

  override async guestGetXml(name: string, options: { inactive?: boolean } = {}): Promise<string> {
    const g = this.guest(name);
    return formatGuestXml(this.defFor(g, options.inactive), { inactive: options.inactive === true || !g.active });
  }

  override async guestInterfaces(name: string, options: { inactive?: boolean } = {}): Promise<GuestInterface[]> {
    const g = this.guest(name);
    const inactive = options.inactive === true || !g.active;
    const def = inactive ? parseGuestXml(formatGuestXml(this.defFor(g, true), { inactive: true }), { inactive: true }) : g.def;
    return def.interfaces.map((i) => {
      const out: GuestInterface = { type: i.type, source: i.source, mac: i.mac ?? '' };
      if (i.target !== undefined) out.target = i.target;
      if (i.model !== undefined) out.model = i.model;
      if (i.alias !== undefined) out.alias = i.alias;
      return out;
    });
  }

  override async guestInterfaceAddresses(name: string): Promise<GuestInterfaceAddress[]> {
    const g = this.guest(name);
    if (!g.active) throw notRunning();
    const out: GuestInterfaceAddress[] = [];
    for (const i of g.def.interfaces) {
      if (i.type !== 'network' || i.mac === undefined) continue;
      for (const l of this.leaseTable.get(i.source) ?? []) {
        if (l.mac.toLowerCase() !== i.mac) continue;
        out.push({ name: i.target ?? '', mac: i.mac, protocol: l.protocol, address: l.ipAddress, prefix: l.prefix });
      }
    }
    return out;
  }

  override async guestAttachDevice(name: string, xml: string, flags: AffectFlags): Promise<void> {
    const g = this.guest(name);
    const { live, config } = this.impact(g, flags);
    let iface = parseInterfaceXml(xml, { inactive: true });
    if (iface.mac === undefined) iface = { ...iface, mac: generateGuestMac(this.allMacs(), this.random) };
    const configDef = config ? addInterface(g.active ? (g.newDef ?? g.def) : g.def, iface) : undefined;
    const liveDef = live ? addInterface(g.def, this.plug(iface, g.def.interfaces.length)) : undefined;
    if (liveDef) g.def = liveDef;
    if (configDef) {
      if (g.active) g.newDef = configDef;
      else g.def = configDef;
    }
  }

  override async guestDetachDevice(name: string, xml: string, flags: AffectFlags): Promise<void> {
    const g = this.guest(name);
    const { live, config } = this.impact(g, flags);
    const iface = parseInterfaceXml(xml, { inactive: true });
    const find = (def: GuestDef): number => {
      const matches = def.interfaces.flatMap((i, n) =>
        i.mac !== undefined && iface.mac !== undefined && macTextsEqual(i.mac, iface.mac) ? [n] : [],
      );
      if (matches.length === 0) throw new VirError('OPERATION_FAILED', `no device matching MAC address ${iface.mac ?? ''} found`);
      if (matches.length > 1) throw new VirError('OPERATION_FAILED', `multiple devices matching MAC address ${iface.mac ?? ''} found`);
      return matches[0]!;
    };
    const configBase = g.active ? (g.newDef ?? g.def) : g.def;
    const configDef = config ? removeInterface(configBase, find(configBase)) : undefined;
    const liveDef = live ? removeInterface(g.def, find(g.def)) : undefined;
    if (liveDef) g.def = liveDef;
    if (configDef) {
      if (g.active) g.newDef = configDef;
      else g.def = configDef;
    }
  }

  override async guestExec(name: string, argv: string[]): Promise<GuestExecResult> {
    const g = this.guest(name);
    if (!g.active) throw notRunning();
    if (g.def.type !== 'netns') throw new VirError('OPERATION_UNSUPPORTED', `guest '${name}' is a tap guest: commands run only in netns guests`);
    return this.execHandler(name, argv);
  }

  override async bridgePorts(bridge?: string): Promise<BridgePorts[]> {
    const out: BridgePorts[] = [];
    for (const net of this.nets.values()) {
      const br = net.def.bridge.name;
      if (!net.active || br === undefined || (bridge !== undefined && br !== bridge)) continue;
      const ports: string[] = [];
      for (const g of this.guests.values()) {
        if (!g.active) continue;
        for (const i of g.def.interfaces) {
          const on = i.type === 'network' ? this.nets.get(i.source)?.def.bridge.name : i.source;
          if (on === br && i.target !== undefined) ports.push(i.target);
        }
      }
      out.push({ bridge: br, bridgeId: `8000.${(net.def.mac ?? '00:00:00:00:00:00').replaceAll(':', '')}`, stp: net.def.bridge.stp, ports });
    }
    return out;
  }
}
