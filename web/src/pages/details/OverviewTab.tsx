/** Every field of a network: identity, state, forwarding, bridge, MAC, MTU, DNS domain, addresses, routes, portgroups. */
import type { ReactNode } from 'react';
import {
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Gallery,
} from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import type { NetworkRow } from '../../state/store.js';
import { forwardSummary } from '../../model/forward.js';

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
    <Card>
      <CardTitle component="h2">{title}</CardTitle>
      <CardBody>
        <DescriptionList isHorizontal isCompact>
          {children}
        </DescriptionList>
      </CardBody>
    </Card>
  );
}

export function OverviewTab({ row }: { row: NetworkRow }) {
  const { t } = useTranslation();
  const { info, model } = row;
  const yes = (v: boolean): string => (v ? t('common.yes') : t('common.no'));
  const dash = (v: string | number | undefined): string => (v === undefined || v === '' ? '—' : String(v));
  const f = model?.forward;

  return (
    <Gallery hasGutter minWidths={{ default: '100%', lg: '28rem' }}>
      <FieldsCard title={t('overview.general')}>
        <Item term={t('overview.name')}>{info.name}</Item>
        <Item term={t('overview.uuid')}>
          <span className="vn-mono">{info.uuid}</span>
        </Item>
        {info.title && <Item term={t('overview.title')}>{info.title}</Item>}
        {model?.description && <Item term={t('overview.description')}>{model.description}</Item>}
        <Item term={t('networks.col.state')}>{info.active ? t('state.active') : t('state.inactive')}</Item>
        <Item term={t('networks.col.persistent')}>{yes(info.persistent)}</Item>
        <Item term={t('networks.col.autostart')}>{yes(info.autostart)}</Item>
        {model?.connections !== undefined && <Item term={t('overview.connections')}>{model.connections}</Item>}
      </FieldsCard>
      <FieldsCard title={t('overview.connectivity')}>
        <Item term={t('networks.col.forward')} testId="overview-forward">
          {forwardSummary(model, t)}
        </Item>
        <Item term={t('overview.forwardMode')}>{f?.mode ?? t('overview.none')}</Item>
        {f?.dev && <Item term={t('overview.forwardDev')}>{f.dev}</Item>}
        {f && f.interfaces.length > 0 && <Item term={t('overview.forwardInterfaces')}>{f.interfaces.join(', ')}</Item>}
        {f?.pf && <Item term={t('overview.pf')}>{f.pf}</Item>}
        {f?.natAddress && <Item term={t('overview.natAddresses')}>{`${dash(f.natAddress.start)} – ${dash(f.natAddress.end)}`}</Item>}
        {f?.natPorts && <Item term={t('overview.natPorts')}>{`${dash(f.natPorts.start)} – ${dash(f.natPorts.end)}`}</Item>}
        {model?.ipv6Internal !== undefined && <Item term={t('overview.ipv6Internal')}>{yes(model.ipv6Internal)}</Item>}
      </FieldsCard>
      <FieldsCard title={t('overview.bridgeTitle')}>
        <Item term={t('networks.col.bridge')} testId="overview-bridge">
          <span className="vn-mono">{dash(info.bridge ?? model?.bridge.name)}</span>
        </Item>
        <Item term={t('overview.stp')}>{dash(model?.bridge.stp)}</Item>
        <Item term={t('overview.delay')}>{dash(model?.bridge.delay)}</Item>
        {model?.bridge.macTableManager && <Item term={t('overview.macTableManager')}>{model.bridge.macTableManager}</Item>}
        {model?.bridge.zone && <Item term={t('overview.zone')}>{model.bridge.zone}</Item>}
        <Item term={t('overview.mac')}>
          <span className="vn-mono">{dash(model?.mac)}</span>
        </Item>
        <Item term={t('overview.mtu')} testId="overview-mtu">
          {model?.mtu ?? t('overview.mtuDefault')}
        </Item>
      </FieldsCard>
      <FieldsCard title={t('overview.dnsTitle')}>
        <Item term={t('overview.domain')} testId="overview-domain">
          {dash(model?.domain?.name)}
        </Item>
        {model?.domain?.localOnly && <Item term={t('overview.localOnly')}>{model.domain.localOnly}</Item>}
        {model?.domain?.register && <Item term={t('overview.register')}>{model.domain.register}</Item>}
        <Item term={t('overview.dnsEnabled')}>{model?.dns.enable === 'no' ? t('common.no') : t('common.yes')}</Item>
        <Item term={t('overview.forwarders')}>
          {model && model.dns.forwarders.length > 0
            ? model.dns.forwarders.map((x) => [x.domain, x.addr].filter(Boolean).join(' → ')).join(', ')
            : '—'}
        </Item>
      </FieldsCard>
      <Card>
        <CardTitle component="h2">{t('overview.addresses')}</CardTitle>
        <CardBody>
          {(model?.ips.length ?? 0) === 0 ? (
            t('overview.noAddresses')
          ) : (
            <DescriptionList isCompact>
              {model?.ips.map((ip) => (
                <Item key={ip.index} term={`${ip.family === 'ipv4' ? 'IPv4' : 'IPv6'} ${dash(ip.cidr)}`}>
                  {t('overview.hostAddress')}: <span className="vn-mono">{dash(ip.address)}</span>
                  {ip.netmask ? ` (${ip.netmask})` : ''}
                  <br />
                  {t('overview.dhcpRanges')}:{' '}
                  {ip.ranges.length > 0 ? ip.ranges.map((r) => `${r.start} – ${r.end}`).join(', ') : t('networks.dhcpOff')}
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
        </CardBody>
      </Card>
      {model && (model.routes.length > 0 || model.portgroups.length > 0) && (
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
