/** The vNICs plugged into a network: guest, state, MAC, model, target device and addresses. */
import { Content, EmptyState, EmptyStateBody } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { useStore, type NetworkRow } from '../../state/store.js';
import { nicsOnNetwork } from '../../state/guests.js';
import { StateLabel } from '../networks/NetworksPage.js';
import { DataTable } from '../../components/DataTable.js';
import { nicColumns } from '../guests/nicColumns.js';

export function GuestsTab({ row }: { row: NetworkRow }) {
  const { t } = useTranslation();
  const store = useStore();
  if (store.guestsAvailable === false) return <Content component="p">{t('guests.unavailable')}</Content>;
  const nics = nicsOnNetwork(store.guests, row.info);
  if (nics.length === 0) {
    return (
      <EmptyState titleText={t('netGuests.none')} headingLevel="h2">
        <EmptyStateBody>{t('netGuests.noneHelp')}</EmptyStateBody>
      </EmptyState>
    );
  }
  const col = nicColumns(t);
  return (
    <DataTable
      ariaLabel={t('netGuests.label', { name: row.info.name })}
      testId="network-guests"
      rows={nics}
      rowKey={({ guest, nic }) => `${guest.info.name}-${nic.mac}`}
      columns={[
        { label: t('guests.col.name'), cell: ({ guest }) => guest.info.name },
        { label: t('guests.col.state'), cell: ({ guest }) => <StateLabel active={guest.info.active} /> },
        col.mac,
        col.model,
        col.target,
        col.addresses,
      ]}
    />
  );
}
