/**
 * Every field of a network: identity, state, forwarding, bridge, MAC, MTU,
 * DNS domain and server, addresses, routes, portgroups. On a running
 * network, a field whose saved value differs from the live one shows both,
 * the saved one marked "takes effect at next start".
 */
import type { ReactNode } from 'react';
import { Content, DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm, Gallery } from '@patternfly/react-core';
import { TitledCard } from '../../components/TitledCard.js';
import { useTranslation } from 'react-i18next';
import type { NetworkRow } from '../../state/store.js';
import type { NetworkModel } from '../../model/network.js';
import { forwardSummary } from '../../model/forward.js';
import { PendingLabel } from '../../components/PendingLabel.js';

function Item({ term, children, testId }: { term: string; children: ReactNode; testId?: string }) {
  return (
    <DescriptionListGroup>
      <DescriptionListTerm>{term}</DescriptionListTerm>
      <DescriptionListDescription data-testid={testId}>{children}</DescriptionListDescription>
    </DescriptionListGroup>
  );
}

/** One card of the overview: a title over a horizontal list of terms and values. */
function FieldsCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <TitledCard title={title}>
      <DescriptionList isHorizontal isCompact>
        {children}
      </DescriptionList>
    </TitledCard>
  );
}

export function OverviewTab({ row }: { row: NetworkRow }) {
  const { t } = useTranslation();
  const { info, model } = row;
  const saved = row.configModel;
  const yes = (v: boolean): string => (v ? t('common.yes') : t('common.no'));
  const dash = (v: string | number | undefined): string => (v === undefined || v === '' ? '—' : String(v));
  const f = model.forward;
  const addresses = (m: NetworkModel): string => m.ips.map((ip) => ip.cidr ?? ip.address ?? '').join(', ');
  /** A field's live text, and its saved text beside it when that differs (it takes effect at the next start). */
  const both = (text: (m: NetworkModel) => string) => {
    const now = text(model);
    const next = saved === undefined ? now : text(saved);
    if (next === now) return now;
    return (
      <>
        {now} → {next} <PendingLabel pending="next-start" />
      </>
    );
  };

  return (
    <Gallery hasGutter minWidths={{ default: '100%', lg: '28rem' }}>
      <FieldsCard title={t('overview.general')}>
        <Item term={t('overview.name')}>{info.name}</Item>
        <Item term={t('overview.uuid')}>
          <span className="vn-mono">{info.uuid}</span>
        </Item>
        {info.title && <Item term={t('overview.title')}>{info.title}</Item>}
        {model.description && <Item term={t('overview.description')}>{model.description}</Item>}
        <Item term={t('networks.col.state')}>{info.active ? t('state.active') : t('state.inactive')}</Item>
        <Item term={t('networks.col.persistent')}>{yes(info.persistent)}</Item>
        <Item term={t('networks.col.autostart')}>{yes(info.autostart)}</Item>
        {model.connections !== undefined && <Item term={t('overview.connections')}>{model.connections}</Item>}
      </FieldsCard>
      <FieldsCard title={t('overview.connectivity')}>
        <Item term={t('networks.col.forward')} testId="overview-forward">
          {both((m) => forwardSummary(m, t))}
        </Item>
        <Item term={t('overview.forwardMode')}>{both((m) => m.forward.mode ?? t('overview.none'))}</Item>
        {f?.dev && <Item term={t('overview.forwardDev')}>{f.dev}</Item>}
        {f && f.interfaces.length > 0 && <Item term={t('overview.forwardInterfaces')}>{f.interfaces.join(', ')}</Item>}
        {f?.pf && <Item term={t('overview.pf')}>{f.pf}</Item>}
        {f?.natAddress && <Item term={t('overview.natAddresses')}>{`${dash(f.natAddress.start)} – ${dash(f.natAddress.end)}`}</Item>}
        {f?.natPorts && <Item term={t('overview.natPorts')}>{`${dash(f.natPorts.start)} – ${dash(f.natPorts.end)}`}</Item>}
        {model.ipv6Internal !== undefined && <Item term={t('overview.ipv6Internal')}>{yes(model.ipv6Internal)}</Item>}
      </FieldsCard>
      <FieldsCard title={t('overview.bridgeTitle')}>
        <Item term={t('networks.col.bridge')} testId="overview-bridge">
          <span className="vn-mono">{dash(info.bridge ?? model.bridge.name)}</span>
        </Item>
        <Item term={t('overview.stp')}>{both((m) => dash(m.bridge.stp))}</Item>
        <Item term={t('overview.delay')}>{both((m) => dash(m.bridge.delay))}</Item>
        {model.bridge.macTableManager && <Item term={t('overview.macTableManager')}>{model.bridge.macTableManager}</Item>}
        {model.bridge.zone && <Item term={t('overview.zone')}>{model.bridge.zone}</Item>}
        <Item term={t('overview.mac')}>
          <span className="vn-mono">{both((m) => dash(m.mac))}</span>
        </Item>
        <Item term={t('overview.mtu')} testId="overview-mtu">
          {both((m) => (m.mtu === undefined ? t('overview.mtuDefault') : String(m.mtu)))}
        </Item>
      </FieldsCard>
      <FieldsCard title={t('overview.dnsTitle')}>
        <Item term={t('overview.domain')} testId="overview-domain">
          {both((m) => dash(m.domain?.name))}
        </Item>
        {model.domain?.localOnly && <Item term={t('overview.localOnly')}>{model.domain.localOnly}</Item>}
        {model.domain?.register && <Item term={t('overview.register')}>{model.domain.register}</Item>}
        <Item term={t('overview.dnsServer')} testId="overview-dns-server">
          {both((m) => (m.servesDns ? t('common.yes') : t('common.no')))}
        </Item>
        <Item term={t('overview.forwarders')} testId="overview-forwarders">
          {both((m) => (m.dns.forwarders.length > 0 ? m.dns.forwarders.map((x) => [x.domain, x.addr].filter(Boolean).join(' → ')).join(', ') : '—'))}
        </Item>
      </FieldsCard>
      <TitledCard title={t('overview.addresses')}>
        {saved && addresses(saved) !== addresses(model) && (
          <Content component="p" data-testid="overview-addresses-pending">
            {t('overview.addressesNext')}: {addresses(saved) || '—'} <PendingLabel pending="next-start" />
          </Content>
        )}
        {model.ips.length === 0 ? (
          t('overview.noAddresses')
        ) : (
          <DescriptionList isCompact>
            {model.ips.map((ip) => (
              <Item key={ip.index} term={`${ip.family === 'ipv4' ? 'IPv4' : 'IPv6'} ${dash(ip.cidr)}`}>
                {t('overview.hostAddress')}: <span className="vn-mono">{dash(ip.address)}</span>
                {ip.netmask ? ` (${ip.netmask})` : ''}
                <br />
                {t('overview.dhcpRanges')}: {ip.ranges.length > 0 ? ip.ranges.map((r) => `${r.start} – ${r.end}`).join(', ') : t('networks.dhcpOff')}
                <br />
                {t('overview.reservations')}: {ip.hosts.length}
                {ip.tftpRoot && (
                  <>
                    <br />
                    TFTP: {ip.tftpRoot}
                  </>
                )}
                {ip.bootp?.file && (
                  <>
                    <br />
                    BOOTP: {ip.bootp.file} {ip.bootp.server ?? ''}
                  </>
                )}
              </Item>
            ))}
          </DescriptionList>
        )}
      </TitledCard>
      {(model.routes.length > 0 || model.portgroups.length > 0) && (
        <FieldsCard title={t('overview.routesAndPortgroups')}>
          {model.routes.map((r, i) => (
            <Item key={`r${i}`} term={t('overview.route')}>
              <span className="vn-mono">
                {t('overview.routeText', { subnet: `${dash(r.address)}/${dash(r.prefix ?? r.netmask)}`, gateway: dash(r.gateway) })}
              </span>
            </Item>
          ))}
          {model.portgroups.map((p) => (
            <Item key={`p${p.name}`} term={t('overview.portgroup')}>
              {p.name}
              {p.isDefault ? ` (${t('overview.default')})` : ''}
            </Item>
          ))}
        </FieldsCard>
      )}
    </Gallery>
  );
}
