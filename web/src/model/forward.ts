/**
 * One line for how a network reaches the outside, as virt-manager and
 * cockpit word it: "NAT to eth0", "Isolated", "Routed to eth1", "Open",
 * "Bridge br0", "macvtap (vepa) on eth0"…
 */
import type { TFunction } from 'i18next';
import type { NetworkModel } from './network.js';

export function forwardSummary(model: NetworkModel | undefined, t: TFunction): string {
  if (!model) return '—';
  const f = model.forward;
  const dev = f.dev ?? f.interfaces[0];
  switch (f.mode) {
    case undefined:
      return t('forward.isolated');
    case 'nat':
      return dev ? t('forward.natTo', { dev }) : t('forward.nat');
    case 'route':
      return dev ? t('forward.routedTo', { dev }) : t('forward.routed');
    case 'open':
      return t('forward.open');
    case 'bridge':
      if (model.bridge.name) return t('forward.hostBridge', { bridge: model.bridge.name });
      return t('forward.macvtap', { mode: 'bridge', devs: f.interfaces.join(', ') || f.dev || '—' });
    case 'private':
    case 'vepa':
    case 'passthrough':
      return t('forward.macvtap', { mode: f.mode, devs: f.interfaces.join(', ') || f.dev || f.pf || '—' });
    case 'hostdev':
      return t('forward.hostdev', { pf: f.pf ?? f.interfaces.join(', ') });
    default:
      return f.mode;
  }
}
