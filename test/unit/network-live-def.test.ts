/**
 * The live def a start assigns (src/driver/network/live.ts): NAT's source-port range filled in, and
 * shared with the config wherever nothing changes it in place, so a running network does not hold
 * its definition twice.
 */
import { describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { formatNetworkXml } from '../../src/conf/network/format.js';
import { liveDefForStart } from '../../src/driver/network/live.js';

const NAT = `<network><name>lab</name><forward mode='nat'/><bridge name='vbr7'/>
  <ip address='192.168.70.1' netmask='255.255.255.0'><dhcp><range start='192.168.70.2' end='192.168.70.254'/></dhcp></ip>
</network>`;
const BRIDGE_POOL = `<network><name>pool</name><forward mode='bridge'><interface dev='eth1'/><interface dev='eth2'/></forward></network>`;

describe('the live def of a start', () => {
  it("fills in NAT's port range and leaves the config as it was", () => {
    const config = parseNetworkXml(NAT);
    const before = formatNetworkXml(config, { inactive: true });
    const live = liveDefForStart(config);
    expect(formatNetworkXml(live)).toContain("<port start='1024' end='65535'/>");
    expect(config.forward.nat?.portStart ?? 0).toBe(0);
    expect(formatNetworkXml(config, { inactive: true })).toBe(before);
  });

  it('shares every part with the config but those that change in place while it runs', () => {
    const config = parseNetworkXml(NAT);
    const live = liveDefForStart(config);
    expect(live).not.toBe(config);
    expect(live.forward).not.toBe(config.forward);
    expect(live.ips).toBe(config.ips);
    expect(live.bridge).toBe(config.bridge);
    expect(live.dns).toBe(config.dns);
  });

  it("keeps the connection counts of its own: a port's count never reaches the config", () => {
    const config = parseNetworkXml(BRIDGE_POOL);
    const live = liveDefForStart(config);
    live.connections = 2;
    for (const iface of live.forward.interfaces) iface.connections = 1;
    expect(config.connections).toBe(0);
    expect(config.forward.interfaces.map((i) => i.connections)).toEqual([0, 0]);
    expect(formatNetworkXml(config)).not.toContain('connections');
  });
});
