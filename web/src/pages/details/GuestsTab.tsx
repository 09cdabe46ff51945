/** The vNICs plugged into a network: guest, state, MAC, model, target device and addresses. */
import { Content, EmptyState, EmptyStateBody } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useTranslation } from 'react-i18next';
import { useStore, type NetworkRow } from '../../state/store.js';
import { nicsOnNetwork } from '../../state/guests.js';
import { StateLabel } from '../networks/NetworksPage.js';

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
  return (
    <Table aria-label={t('netGuests.label', { name: row.info.name })} variant="compact" data-testid="network-guests">
      <Thead>
        <Tr>
          <Th>{t('guests.col.name')}</Th>
          <Th>{t('guests.col.state')}</Th>
          <Th>{t('guests.nic.mac')}</Th>
          <Th>{t('guests.nic.model')}</Th>
          <Th>{t('guests.nic.target')}</Th>
          <Th>{t('guests.nic.addresses')}</Th>
        </Tr>
      </Thead>
      <Tbody>
        {nics.map(({ guest, nic }) => {
          const addrs = guest.addresses.filter((a) => a.mac.toLowerCase() === nic.mac.toLowerCase()).map((a) => `${a.address}/${a.prefix}`);
          return (
            <Tr key={`${guest.info.name}-${nic.mac}`}>
              <Td dataLabel={t('guests.col.name')}>{guest.info.name}</Td>
              <Td dataLabel={t('guests.col.state')}>
                <StateLabel active={guest.info.active} />
              </Td>
              <Td dataLabel={t('guests.nic.mac')} className="vn-mono">
                {nic.mac}
              </Td>
              <Td dataLabel={t('guests.nic.model')}>{nic.model ?? '—'}</Td>
              <Td dataLabel={t('guests.nic.target')} className="vn-mono">
                {nic.target ?? '—'}
              </Td>
              <Td dataLabel={t('guests.nic.addresses')} className="vn-mono">
                {addrs.length ? addrs.join(', ') : '—'}
              </Td>
            </Tr>
          );
        })}
      </Tbody>
    </Table>
  );
}
