/**
 * The networks page: every network in a table (name, state, autostart,
 * persistent, bridge, forward summary, IPv4 and IPv6 networks, DHCP range,
 * attached guests), with start/stop, the autostart switch and delete on
 * each row, and the creation wizard. Live: the store follows the event
 * stream, so rows change as the daemon reports.
 */
import { Suspense, lazy, useState } from 'react';
import {
  Button,
  Content,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  Label,
  PageSection,
  Spinner,
  Switch,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
  Tooltip,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import CheckCircleIcon from '@patternfly/react-icons/dist/esm/icons/check-circle-icon.js';
import OffIcon from '@patternfly/react-icons/dist/esm/icons/off-icon.js';
import ExclamationTriangleIcon from '@patternfly/react-icons/dist/esm/icons/exclamation-triangle-icon.js';
import NetworkIcon from '@patternfly/react-icons/dist/esm/icons/network-icon.js';
import { useTranslation } from 'react-i18next';
import { useStore, type NetworkRow } from '../../state/store.js';
import { guestNamesOnNetwork } from '../../state/guests.js';
import { forwardSummary } from '../../model/forward.js';
import { networkHref, navigate } from '../../app/router.js';
import { KebabMenu } from '../../components/KebabMenu.js';
import { DeleteNetworkModal, useNetworkActions, useStopWithConfirmation } from './actions.js';
import { loadDraft } from '../wizard/draft.js';

const CreateNetworkWizard = lazy(() => import('../wizard/CreateNetworkWizard.js'));

/** A network's or guest's state; a running network the daemon is repairing shows as degraded, with what was wrong. */
export function StateLabel({ active, degraded }: { active: boolean; degraded?: string | undefined }) {
  const { t } = useTranslation();
  if (active && degraded !== undefined) {
    return (
      <Label color="orange" icon={<ExclamationTriangleIcon />} data-testid="state" title={degraded}>
        {t('state.degraded')}
      </Label>
    );
  }
  return active ? (
    <Label color="green" icon={<CheckCircleIcon />} data-testid="state">
      {t('state.active')}
    </Label>
  ) : (
    <Label color="grey" icon={<OffIcon />} data-testid="state">
      {t('state.inactive')}
    </Label>
  );
}

export function dhcpRangeText(row: NetworkRow, family: 'ipv4' | 'ipv6', none: string): string {
  const ip = row.model?.ips.find((i) => i.family === family && i.ranges.length > 0);
  const r = ip?.ranges[0];
  if (!ip || !r) return none;
  return `${r.start} –\u00a0${r.end}${ip.ranges.length > 1 ? ` (+${ip.ranges.length - 1})` : ''}`;
}

export function subnetsText(row: NetworkRow, family: 'ipv4' | 'ipv6'): string {
  const list = (row.model?.ips ?? []).filter((i) => i.family === family && i.cidr).map((i) => i.cidr);
  return list.length > 0 ? list.join(', ') : '—';
}

export function NetworksPage() {
  const { t } = useTranslation();
  const store = useStore();
  const actions = useNetworkActions();
  const stopper = useStopWithConfirmation(actions);
  // A wizard left open when the page was reloaded opens again, as it was (wizard/draft.ts).
  const [restored, setRestored] = useState(loadDraft);
  const [creating, setCreating] = useState(restored !== undefined);
  const [deleting, setDeleting] = useState<NetworkRow>();
  const active = store.networks.filter((n) => n.info.active).length;

  const columns = {
    name: t('networks.col.name'),
    state: t('networks.col.state'),
    autostart: t('networks.col.autostart'),
    persistent: t('networks.col.persistent'),
    bridge: t('networks.col.bridge'),
    forward: t('networks.col.forward'),
    ipv4: t('networks.col.ipv4'),
    ipv6: t('networks.col.ipv6'),
    dhcp: t('networks.col.dhcp'),
    guests: t('networks.col.guests'),
  };

  const row = (r: NetworkRow) => {
    const { info } = r;
    const busy = actions.busy[info.name] === true;
    const guests = store.guestsAvailable ? guestNamesOnNetwork(store.guests, info) : undefined;
    return (
      <Tr key={info.name} data-testid={`network-row-${info.name}`}>
        <Td dataLabel={columns.name}>
          <a href={networkHref(info.name)} className="vn-name" title={info.name}>
            {info.name}
          </a>
        </Td>
        <Td dataLabel={columns.state}>
          <StateLabel active={info.active} degraded={info.degraded} />
        </Td>
        <Td dataLabel={columns.autostart}>
          {info.persistent ? (
            <Switch
              id={`autostart-${info.name}`}
              aria-label={t('networks.autostartFor', { name: info.name })}
              isChecked={info.autostart}
              isDisabled={busy}
              onChange={(_e, on) => void actions.setAutostart(r, on)}
            />
          ) : (
            <Tooltip content={t('networks.transientNoAutostart')}>
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: keyboard users reach the tooltip that says why a transient network has no autostart */}
              <span tabIndex={0}>—</span>
            </Tooltip>
          )}
        </Td>
        <Td dataLabel={columns.persistent}>{info.persistent ? t('common.yes') : t('common.no')}</Td>
        <Td dataLabel={columns.bridge} className="vn-mono">
          {info.bridge ?? '—'}
        </Td>
        <Td dataLabel={columns.forward} data-testid="forward">
          {forwardSummary(r.model, t)}
        </Td>
        <Td dataLabel={columns.ipv4} className="vn-mono">
          {subnetsText(r, 'ipv4')}
        </Td>
        <Td dataLabel={columns.ipv6} className="vn-mono">
          {subnetsText(r, 'ipv6')}
        </Td>
        <Td dataLabel={columns.dhcp} className="vn-mono">
          {dhcpRangeText(r, 'ipv4', t('networks.dhcpOff'))}
        </Td>
        <Td dataLabel={columns.guests} data-testid="guests">
          {guests === undefined ? '—' : guests.length}
        </Td>
        <Td isActionCell>
          <span className="vn-nowrap">
            {info.active ? (
              <Button
                variant="secondary"
                size="sm"
                isDisabled={busy}
                isLoading={busy}
                onClick={() => stopper.request(r)}
                aria-label={t('networks.stopNamed', { name: info.name })}
              >
                {t('actions.stop')}
              </Button>
            ) : (
              <Button
                variant="secondary"
                size="sm"
                isDisabled={busy}
                isLoading={busy}
                onClick={() => void actions.start(r)}
                aria-label={t('networks.startNamed', { name: info.name })}
              >
                {t('actions.start')}
              </Button>
            )}
            <KebabMenu
              label={t('networks.moreActions', { name: info.name })}
              items={[
                { key: 'details', label: t('actions.details'), onClick: () => navigate(networkHref(info.name)) },
                { key: 'xml', label: t('actions.editXml'), onClick: () => navigate(networkHref(info.name, 'xml')) },
                { key: 'delete', label: t('actions.delete'), isDanger: true, onClick: () => setDeleting(r) },
              ]}
            />
          </span>
        </Td>
      </Tr>
    );
  };

  return (
    <PageSection>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <Title headingLevel="h1">{t('networks.title')}</Title>
          </ToolbarItem>
          <ToolbarItem alignSelf="center">
            <Content component="small" data-testid="network-counts">
              {t('networks.total', { count: store.networks.length })}, {t('networks.activeCount', { count: active })}
            </Content>
          </ToolbarItem>
          <ToolbarItem align={{ default: 'alignEnd' }}>
            <Button variant="primary" onClick={() => setCreating(true)}>
              {t('networks.create')}
            </Button>
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      {!store.loaded ? (
        <Spinner aria-label={t('common.loading')} />
      ) : store.networks.length === 0 ? (
        <EmptyState titleText={t('networks.emptyTitle')} headingLevel="h2" icon={NetworkIcon}>
          <EmptyStateBody>{store.loadError ?? t('networks.emptyBody')}</EmptyStateBody>
          <EmptyStateFooter>
            <EmptyStateActions>
              <Button variant="primary" onClick={() => setCreating(true)}>
                {t('networks.create')}
              </Button>
            </EmptyStateActions>
          </EmptyStateFooter>
        </EmptyState>
      ) : (
        <Table aria-label={t('networks.tableLabel')} variant="compact" data-testid="networks-table">
          <Thead>
            <Tr>
              <Th modifier="wrap">{columns.name}</Th>
              <Th modifier="wrap">{columns.state}</Th>
              <Th modifier="wrap">{columns.autostart}</Th>
              <Th modifier="wrap">{columns.persistent}</Th>
              <Th modifier="wrap">{columns.bridge}</Th>
              <Th modifier="wrap">{columns.forward}</Th>
              <Th modifier="wrap">{columns.ipv4}</Th>
              <Th modifier="wrap">{columns.ipv6}</Th>
              <Th modifier="wrap">{columns.dhcp}</Th>
              <Th modifier="wrap">{columns.guests}</Th>
              <Th screenReaderText={t('common.actions')} />
            </Tr>
          </Thead>
          <Tbody>{store.networks.map(row)}</Tbody>
        </Table>
      )}
      {creating && (
        <Suspense fallback={<Spinner aria-label={t('common.loading')} />}>
          <CreateNetworkWizard
            onClose={() => {
              setCreating(false);
              setRestored(undefined);
            }}
            {...(restored ? { restored } : {})}
          />
        </Suspense>
      )}
      {stopper.modal}
      {deleting && (
        <DeleteNetworkModal
          info={deleting.info}
          onClose={() => setDeleting(undefined)}
          onConfirm={() => {
            const row = deleting;
            setDeleting(undefined);
            void actions.remove(row);
          }}
        />
      )}
    </PageSection>
  );
}
