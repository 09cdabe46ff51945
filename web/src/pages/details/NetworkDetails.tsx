/**
 * One network: a header with its state and actions, then tabs — Overview,
 * DHCP, DNS, Port forwards, Guests, Traffic, XML — each addressed by the hash (#/networks/NAME/TAB)
 * so they can be linked and the back button works.
 */
import { useState } from 'react';
import {
  Breadcrumb,
  BreadcrumbItem,
  Button,
  EmptyState,
  EmptyStateBody,
  Flex,
  FlexItem,
  PageSection,
  Spinner,
  Switch,
  Tab,
  TabTitleText,
  Tabs,
  Title,
} from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { useNetwork, useStore } from '../../state/store.js';
import { navigate, networkHref } from '../../app/router.js';
import { DeleteNetworkModal, useNetworkActions, useStopWithConfirmation } from '../networks/actions.js';
import { StateLabel } from '../networks/NetworksPage.js';
import { OverviewTab } from './OverviewTab.js';
import { DhcpTab } from './DhcpTab.js';
import { DnsTab } from './DnsTab.js';
import { ForwardsTab } from './ForwardsTab.js';
import { GuestsTab } from './GuestsTab.js';
import { TrafficTab } from './TrafficTab.js';
import { XmlTab } from './XmlTab.js';

const TABS = ['overview', 'dhcp', 'dns', 'forwards', 'guests', 'traffic', 'xml'] as const;

export default function NetworkDetails({ name, tab }: { name: string; tab: string }) {
  const { t } = useTranslation();
  const store = useStore();
  const row = useNetwork(name);
  const actions = useNetworkActions();
  const stopper = useStopWithConfirmation(actions);
  const [deleting, setDeleting] = useState(false);
  const active = (TABS as readonly string[]).includes(tab) ? tab : 'overview';

  const crumbs = (
    <Breadcrumb>
      <BreadcrumbItem to="#/networks">{t('nav.networks')}</BreadcrumbItem>
      <BreadcrumbItem isActive>{name}</BreadcrumbItem>
    </Breadcrumb>
  );

  if (!row) {
    return (
      <PageSection>
        {crumbs}
        {store.loaded ? (
          <EmptyState titleText={t('details.notFound', { name })} headingLevel="h1">
            <EmptyStateBody>
              <Button variant="link" onClick={() => navigate('#/networks')}>
                {t('details.back')}
              </Button>
            </EmptyStateBody>
          </EmptyState>
        ) : (
          <Spinner aria-label={t('common.loading')} />
        )}
      </PageSection>
    );
  }

  const { info } = row;
  const busy = actions.busy[name] === true;
  const labels: Record<(typeof TABS)[number], string> = {
    overview: t('details.tabs.overview'),
    dhcp: t('details.tabs.dhcp'),
    dns: t('details.tabs.dns'),
    forwards: t('details.tabs.forwards'),
    guests: t('details.tabs.guests'),
    traffic: t('details.tabs.traffic'),
    xml: t('details.tabs.xml'),
  };

  return (
    <>
      <PageSection>
        {crumbs}
        <Flex alignItems={{ default: 'alignItemsCenter' }} className="pf-v6-u-mt-sm">
          <FlexItem>
            <Title headingLevel="h1" className="vn-name" title={name}>
              {name}
            </Title>
          </FlexItem>
          <FlexItem>
            <StateLabel active={info.active} degraded={info.degraded} />
          </FlexItem>
          <FlexItem align={{ default: 'alignRight' }}>
            <Flex alignItems={{ default: 'alignItemsCenter' }}>
              {info.persistent && (
                <FlexItem>
                  <Switch
                    id="detail-autostart"
                    label={t('networks.col.autostart')}
                    isChecked={info.autostart}
                    isDisabled={busy}
                    onChange={(_e, on) => void actions.setAutostart(row, on)}
                  />
                </FlexItem>
              )}
              <FlexItem>
                {info.active ? (
                  <Button variant="secondary" isDisabled={busy} isLoading={busy} onClick={() => stopper.request(row)}>
                    {t('actions.stop')}
                  </Button>
                ) : (
                  <Button variant="primary" isDisabled={busy} isLoading={busy} onClick={() => void actions.start(row)}>
                    {t('actions.start')}
                  </Button>
                )}
              </FlexItem>
              <FlexItem>
                <Button variant="danger" isDisabled={busy} onClick={() => setDeleting(true)}>
                  {t('actions.delete')}
                </Button>
              </FlexItem>
            </Flex>
          </FlexItem>
        </Flex>
      </PageSection>
      <PageSection type="tabs">
        <Tabs activeKey={active} onSelect={(_e, key) => navigate(networkHref(name, String(key)))} aria-label={t('details.tabs.label')} usePageInsets>
          {TABS.map((key) => (
            <Tab key={key} eventKey={key} title={<TabTitleText>{labels[key]}</TabTitleText>} tabContentId={`tab-${key}`} />
          ))}
        </Tabs>
      </PageSection>
      <PageSection id={`tab-${active}`} role="tabpanel" aria-label={labels[active as (typeof TABS)[number]]}>
        {active === 'overview' && <OverviewTab row={row} />}
        {active === 'dhcp' && <DhcpTab row={row} />}
        {active === 'dns' && <DnsTab row={row} />}
        {active === 'forwards' && <ForwardsTab row={row} />}
        {active === 'guests' && <GuestsTab row={row} />}
        {active === 'traffic' && <TrafficTab row={row} />}
        {active === 'xml' && <XmlTab row={row} />}
      </PageSection>
      {stopper.modal}
      {deleting && (
        <DeleteNetworkModal
          info={info}
          onClose={() => setDeleting(false)}
          onConfirm={() => {
            setDeleting(false);
            void actions.remove(row).then((ok) => {
              if (ok) navigate('#/networks');
            });
          }}
        />
      )}
    </>
  );
}
