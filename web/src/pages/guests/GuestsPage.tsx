/**
 * Guests and their vNICs: each guest with its state and a table of its
 * vNICs (MAC, source network or bridge, model, device, addresses from the
 * leases); start and stop a guest; add a vNIC (source, model, MAC automatic
 * or typed, live and/or saved) and remove one. Follows the event stream.
 */
import { useState } from 'react';
import {
  Button,
  Card,
  CardBody,
  CardHeader,
  CardTitle,
  Content,
  EmptyState,
  EmptyStateBody,
  Label,
  PageSection,
  Spinner,
  Stack,
  StackItem,
  Title,
} from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import type { GuestInterface } from '../../../../src/contract/guest-api.js';
import { guestsApi } from '../../api/guests.js';
import { errorMessage } from '../../api/http.js';
import { useToasts } from '../../app/toasts.js';
import { networkHref } from '../../app/router.js';
import { useStore } from '../../state/store.js';
import type { GuestRow } from '../../state/guests.js';
import { findNicXml } from '../../model/nic.js';
import { AddNicModal } from './AddNicModal.js';
import { useGuestChange } from './useGuestChange.js';
import { nicColumns } from './nicColumns.js';
import { DataTable } from '../../components/DataTable.js';
import { RemoveButton } from '../../components/RemoveButton.js';
import { ConfirmModal } from '../../components/ConfirmModal.js';

function RemoveNicModal({ guest, nic, onClose }: { guest: GuestRow; nic: GuestInterface; onClose: () => void }) {
  const { t } = useTranslation();
  const { notify } = useToasts();
  const { busy, error, run } = useGuestChange();

  const remove = (): Promise<void> =>
    run(async () => {
      const { info } = guest;
      // Remove it wherever it is: from the running guest and from its saved definition.
      const liveXml = info.active ? findNicXml(await guestsApi.xml(info.name), nic.mac) : undefined;
      const configXml = info.persistent ? findNicXml(await guestsApi.xml(info.name, true), nic.mac) : undefined;
      const xml = liveXml ?? configXml;
      if (!xml) throw new Error(t('guests.nicGone', { mac: nic.mac }));
      await guestsApi.detach(info.name, xml, { live: liveXml !== undefined, config: configXml !== undefined });
      notify('success', t('guests.nicRemoved', { mac: nic.mac, name: info.name }));
      onClose();
    });

  return (
    <ConfirmModal
      titleId="remove-nic-title"
      title={t('guests.removeNicTitle', { mac: nic.mac, name: guest.info.name })}
      confirmLabel={t('common.remove')}
      confirmVariant="danger"
      onConfirm={() => void remove()}
      onClose={onClose}
      busy={busy}
    >
      <Content component="p">{t('guests.removeNicBody', { source: nic.source ?? '—' })}</Content>
      {error && (
        <Content component="p" className="pf-v6-u-danger-color-100">
          {error}
        </Content>
      )}
    </ConfirmModal>
  );
}

function GuestCard({ guest }: { guest: GuestRow }) {
  const { t } = useTranslation();
  const { notify } = useToasts();
  const store = useStore();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<GuestInterface>();
  const [busy, setBusy] = useState(false);
  const { info } = guest;
  const col = nicColumns(t);

  const power = async (): Promise<void> => {
    setBusy(true);
    try {
      if (info.active) await guestsApi.destroy(info.name);
      else await guestsApi.start(info.name);
    } catch (err) {
      notify('danger', info.active ? t('guests.stopFailed', { name: info.name }) : t('guests.startFailed', { name: info.name }), errorMessage(err));
    } finally {
      setBusy(false);
      void store.refreshGuests();
    }
  };

  const sourceCell = (nic: GuestInterface) => {
    if (!nic.source) return '—';
    if (nic.type === 'network' && store.networks.some((n) => n.info.name === nic.source)) return <a href={networkHref(nic.source)}>{nic.source}</a>;
    return nic.source;
  };

  return (
    <Card data-testid={`guest-${info.name}`}>
      <CardHeader
        actions={{
          actions: (
            <>
              <Button variant="secondary" onClick={() => setAdding(true)}>
                {t('guests.addNic')}
              </Button>
              <Button
                variant={info.active ? 'secondary' : 'primary'}
                onClick={() => void power()}
                isLoading={busy}
                isDisabled={busy}
                aria-label={info.active ? t('guests.stopNamed', { name: info.name }) : t('guests.startNamed', { name: info.name })}
              >
                {info.active ? t('actions.stop') : t('actions.start')}
              </Button>
            </>
          ),
        }}
      >
        <CardTitle component="h2">
          {info.name}{' '}
          <Label isCompact color={info.active ? 'green' : 'grey'}>
            {info.active ? t('guests.running') : t('guests.shutOff')}
          </Label>{' '}
          <Label isCompact variant="outline">
            {info.type}
          </Label>
          {!info.persistent && (
            <>
              {' '}
              <Label isCompact variant="outline">
                {t('guests.transient')}
              </Label>
            </>
          )}
        </CardTitle>
      </CardHeader>
      <CardBody>
        <DataTable
          ariaLabel={t('guests.nicsOf', { name: info.name })}
          emptyText={t('guests.noNics')}
          rows={guest.interfaces.map((nic) => ({ guest, nic }))}
          rowKey={({ nic }) => nic.mac}
          rowTestId={({ nic }) => `nic-${nic.mac}`}
          columns={[
            col.mac,
            { label: t('guests.nic.type'), cell: ({ nic }) => nic.type },
            { label: t('guests.nic.source'), cell: ({ nic }) => sourceCell(nic) },
            col.model,
            col.target,
            col.addresses,
          ]}
          action={({ nic }) => <RemoveButton onClick={() => setRemoving(nic)} label={t('guests.removeNicNamed', { mac: nic.mac })} />}
        />
      </CardBody>
      {adding && <AddNicModal guest={guest} onClose={() => setAdding(false)} />}
      {removing && <RemoveNicModal guest={guest} nic={removing} onClose={() => setRemoving(undefined)} />}
    </Card>
  );
}

export default function GuestsPage() {
  const { t } = useTranslation();
  const store = useStore();
  const running = store.guests.filter((g) => g.info.active).length;
  return (
    <PageSection>
      <Stack hasGutter>
        <StackItem>
          <Title headingLevel="h1">{t('guests.title')}</Title>
          <Content component="small">{t('guests.counts', { count: store.guests.length, running })}</Content>
        </StackItem>
        {store.guestsAvailable === undefined && (
          <StackItem>
            <Spinner aria-label={t('common.loading')} />
          </StackItem>
        )}
        {store.guestsAvailable === false && (
          <StackItem>
            <Content component="p">{t('guests.unavailable')}</Content>
          </StackItem>
        )}
        {store.guestsAvailable && store.guests.length === 0 && (
          <StackItem>
            <EmptyState titleText={t('guests.emptyTitle')} headingLevel="h2">
              <EmptyStateBody>{t('guests.emptyBody')}</EmptyStateBody>
            </EmptyState>
          </StackItem>
        )}
        {store.guests.map((g) => (
          <StackItem key={g.info.name}>
            <GuestCard guest={g} />
          </StackItem>
        ))}
      </Stack>
    </PageSection>
  );
}
