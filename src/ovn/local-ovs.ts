/**
 * This host's Open vSwitch, as virtnetd uses it: the chassis name OVN knows
 * it by (external_ids:system-id), whether its datapath is the userspace one,
 * and the ports of guests' vNICs on br-int (OvsPortControl). The database
 * connection is made on first use and made again after it drops.
 */
import { hostname } from 'node:os';
import type { OvsPortControl } from '../host/guest-backend.js';
import { OvsdbError } from '../ovsdb/errors.js';
import { LazyConnection } from '../ovsdb/lazy-connection.js';
import { Vswitch } from './vswitch.js';

export const DEFAULT_OVS_DB = 'unix:/run/openvswitch/db.sock';

export class LocalOvs implements OvsPortControl {
  private readonly connection: LazyConnection;

  constructor(readonly remote: string = DEFAULT_OVS_DB) {
    this.connection = new LazyConnection(remote);
  }

  private async vswitch(): Promise<Vswitch> {
    return new Vswitch(await this.connection.get());
  }

  /** This host's chassis name (system-id); the hostname when Open vSwitch has none or is not there. */
  async chassis(): Promise<string> {
    try {
      return (await (await this.vswitch()).externalIds())['system-id'] ?? hostname();
    } catch (e) {
      if (e instanceof OvsdbError && e.failure === 'connection') return hostname();
      throw e;
    }
  }

  async userspace(): Promise<boolean> {
    const ids = await (await this.vswitch()).externalIds();
    return ids['ovn-bridge-datapath-type'] === 'netdev';
  }

  async addPort(bridge: string, name: string, externalIds: Record<string, string>): Promise<void> {
    await (await this.vswitch()).ensurePort(bridge, { name, externalIds });
  }

  async deletePort(name: string): Promise<void> {
    await (await this.vswitch()).deletePort(name);
  }

  async bridges(): Promise<{ name: string; ports: string[] }[]> {
    let v: Vswitch;
    try {
      v = await this.vswitch();
    } catch (e) {
      // No Open vSwitch database on this host: no OVS bridges to show.
      if (e instanceof OvsdbError && e.failure === 'connection' && /No such file or directory|Connection refused/.test(e.message)) return [];
      throw e;
    }
    return Promise.all((await v.bridges()).map(async (name) => ({ name, ports: await v.ports(name) })));
  }

  close(): void {
    this.connection.close();
  }
}
