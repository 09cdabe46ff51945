/**
 * <forward> as libvirt's virNetworkDefFormatBuf writes it:
 *
 *   <forward [dev=first netdev interface, unless a pf is given] mode=..
 *            [managed='yes|no' for hostdev]>
 *     <driver [name] [model]/>   (hostdev driver)
 *     <nat ...>                  (nat mode)
 *     <pf dev=../>
 *     <interface dev=.. [connections=N]/> or <address type='pci' .../> ...
 *   </forward>
 *
 * `<forward .../>` when there is nothing inside. Inactive formatting leaves
 * out connections= and, when a <pf> is present, the interface pool (it was
 * filled in from the pf at start time).
 */
import type { ForwardDef, ForwardNat } from './types.js';
import type { NetworkXmlOutput } from './format-output.js';
import { formatPciAddress } from './format-netdev.js';
import { cInt } from './format-numbers.js';

function natHasRange(nat: ForwardNat): boolean {
  return nat.addressStart !== undefined || nat.addressEnd !== undefined || nat.portStart !== 0 || nat.portEnd !== 0;
}

/** <nat [ipv6]>: <address start [end]/> and <port start [end]/>; nothing when all are unset. */
function formatNat(out: NetworkXmlOutput, nat: ForwardNat | undefined): void {
  if (!nat) return;
  const ipv6 = nat.ipv6 === undefined ? undefined : nat.ipv6 ? 'yes' : 'no';
  if (!natHasRange(nat)) {
    if (ipv6 !== undefined) out.empty('nat', [['ipv6', ipv6]]);
    return;
  }
  out.start('nat', [['ipv6', ipv6]]);
  // libvirt writes the address only when a start is set.
  if (nat.addressStart !== undefined)
    out.empty('address', [
      ['start', nat.addressStart],
      ['end', nat.addressEnd],
    ]);
  if (nat.portStart || nat.portEnd) {
    out.empty('port', [
      ['start', cInt(nat.portStart)],
      ['end', nat.portEnd ? cInt(nat.portEnd) : undefined],
    ]);
  }
  out.end('nat');
}

export function formatForward(out: NetworkXmlOutput, fwd: ForwardDef, inactive: boolean): void {
  if (fwd.mode === 'none') return;
  const hasPf = fwd.pf !== undefined;
  const first = fwd.interfaces[0];
  const dev = !hasPf && first?.type === 'netdev' ? first.dev : undefined;
  const nat = fwd.nat;
  const hasDriver = fwd.driverName !== undefined || fwd.driverModel !== undefined;
  const short = !(fwd.interfaces.length > 0 || hasPf || (nat !== undefined && (natHasRange(nat) || nat.ipv6 !== undefined)) || hasDriver);
  const attrs = [
    ['dev', dev],
    ['mode', fwd.mode],
    ['managed', fwd.mode === 'hostdev' ? (fwd.managed ? 'yes' : 'no') : undefined],
  ] as const;
  if (short) {
    out.empty('forward', attrs);
    return;
  }
  out.start('forward', attrs);
  if (hasDriver)
    out.empty('driver', [
      ['name', fwd.driverName],
      ['model', fwd.driverModel],
    ]);
  if (fwd.mode === 'nat') formatNat(out, nat);
  if (hasPf) out.empty('pf', [['dev', fwd.pf]]);
  if (!hasPf || !inactive) {
    for (const iface of fwd.interfaces) {
      if (iface.type === 'netdev') {
        const connections = !inactive && iface.connections > 0 ? cInt(iface.connections) : undefined;
        out.empty('interface', [
          ['dev', iface.dev],
          ['connections', connections],
        ]);
      } else {
        formatPciAddress(out, iface.address);
      }
    }
  }
  out.end('forward');
}
