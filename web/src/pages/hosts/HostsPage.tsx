/**
 * The OVN hosts (chassis) this host's OVN networks span: each with its
 * hostname, its tunnel endpoints, whether it answers (up, down, or unknown
 * when no OVN network names a northbound database to ask through), the OVN
 * networks active on it and the guests running there. This host is marked.
 * Read again as networks and guests change, on demand, and every
 * HOSTS_REFRESH_MS while shown in a visible tab; it says when it was read,
 * and when a read fails it keeps the table and says so until one succeeds.
 */
import type { ReactNode } from 'react';
import { Alert, Button, Content, EmptyState, EmptyStateBody, Label, PageSection, Spinner, Title } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import type { OvnGuestPort, OvnHostState } from '../../../../src/contract/console-api.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { HOSTS_REFRESH_MS } from '../../model/hosts-refresh.js';
import { useOvnHosts } from '../../state/ovn-hosts.js';

function StateLabel({ state }: { state: OvnHostState['state'] }) {
  const { t } = useTranslation();
  const color = state === 'up' ? 'green' : state === 'down' ? 'red' : 'grey';
  return (
    <Label color={color} data-testid="host-state">
      {t(`hosts.state.${state}`)}
    </Label>
  );
}

export default function HostsPage() {
  const { t, i18n } = useTranslation();
  const { body, readAt, failure, checking, reload } = useOvnHosts(true, HOSTS_REFRESH_MS);
  const time = (at: number): string => new Date(at).toLocaleTimeString(i18n.language);
  const seconds = HOSTS_REFRESH_MS / 1000;
  const ports = body?.ports ?? [];
  const guestsOn = (host: string): OvnGuestPort[] => ports.filter((p) => p.host === host);

  const columns: Column<OvnHostState>[] = [
    {
      label: t('hosts.name'),
      cell: (h) => (
        <>
          {h.name}
          {h.name === body?.thisHost && (
            <>
              {' '}
              <Label isCompact>{t('hosts.thisHost')}</Label>
            </>
          )}
        </>
      ),
    },
    { label: t('hosts.hostname'), cell: (h) => h.hostname ?? '—' },
    { label: t('hosts.encaps'), mono: true, cell: (h) => h.encaps.map((e) => `${e.type} ${e.ip}`).join(', ') || '—' },
    { label: t('hosts.stateLabel'), cell: (h) => <StateLabel state={h.state} /> },
    { label: t('hosts.networks'), cell: (h) => h.networks.join(', ') || '—' },
    {
      label: t('hosts.guests'),
      cell: (h) =>
        guestsOn(h.name)
          .map((p) => `${p.guest} (${p.network}${p.address ? `, ${p.address}` : ''})`)
          .join(', ') || '—',
    },
  ];

  let content: ReactNode;
  if (body === undefined) {
    content = failure ? <Content component="p">{failure.message}</Content> : <Spinner aria-label={t('common.loading')} />;
  } else if (body.unavailable) {
    content = (
      <EmptyState titleText={t('hosts.unavailableTitle')} headingLevel="h2" data-testid="hosts-unavailable">
        <EmptyStateBody>{t(`hosts.unavailable.${body.unavailable.reason}`, { where: body.unavailable.detail })}</EmptyStateBody>
      </EmptyState>
    );
  } else {
    content = (
      <DataTable
        ariaLabel={t('hosts.title')}
        columns={columns}
        rows={body.hosts}
        rowKey={(h) => h.name}
        testId="hosts"
        rowTestId={(h) => `host-${h.name}`}
        emptyText={t('hosts.empty')}
      />
    );
  }

  return (
    <>
      <PageSection>
        <Title headingLevel="h1">{t('hosts.title')}</Title>
        <Content component="p">{t('hosts.help')}</Content>
        <Button variant="secondary" onClick={reload} isLoading={checking} isDisabled={checking}>
          {t('hosts.check')}
        </Button>
        {readAt !== undefined && (
          <Content component="small" data-testid="hosts-updated">
            {t('hosts.updated', { time: time(readAt), seconds })}
          </Content>
        )}
        {body !== undefined && readAt !== undefined && failure && (
          <Alert
            variant="warning"
            isInline
            isLiveRegion
            title={t('hosts.readFailed', { time: time(failure.at), error: failure.message })}
            variantLabel={t('common.alert.warning')}
            data-testid="hosts-read-failed"
          >
            {t('hosts.shownFrom', { time: time(readAt), seconds })}
          </Alert>
        )}
      </PageSection>
      <PageSection isFilled>{content}</PageSection>
    </>
  );
}
