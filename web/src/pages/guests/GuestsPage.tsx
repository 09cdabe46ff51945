/**
 * Guests and their vNICs: each guest with its state and a table of its
 * vNICs (MAC, source network or bridge, model, device, addresses from the
 * leases), a vNIC of a running guest that is only live (gone at its next
 * start) or only saved (there from its next start) marked so; start and
 * stop a guest; add a vNIC (source, model, MAC automatic or typed, live
 * and/or saved) and remove one. Every change names the guest's version.
 * Follows the event stream.
 */
import { useEffect, useState } from 'react';
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
import { formatAttachInterfaceXml } from '../../../../src/conf/guest/virsh-interface.js';
import { client, basedOn } from '../../api/client.js';
import { errorMessage } from '../../i18n/errors.js';
import { useToasts } from '../../app/toasts.js';
import { useConflicts } from '../../app/conflicts.js';
import { networkHref } from '../../app/router.js';
import { useStore } from '../../state/store.js';
import { guestNics, type GuestNic, type GuestRow } from '../../state/guests.js';
import { PendingLabel } from '../../components/PendingLabel.js';
import { AddNicModal } from './AddNicModal.js';
import { useGuestChange } from './useGuestChange.js';
import { nicColumns } from './nicColumns.js';
import { DataTable } from '../../components/DataTable.js';
import { RemoveButton } from '../../components/RemoveButton.js';
import { ConfirmModal } from '../../components/ConfirmModal.js';

function RemoveNicModal({ guest, entry, onClose }: { guest: GuestRow; entry: GuestNic; onClose: () => void }) {
  const { t } = useTranslation();
  const { notify } = useToasts();
  const conflicts = useConflicts();
  const { busy, error, run } = useGuestChange();
  const { nic, presence } = entry;

  const remove = (): Promise<void> =>
    run(async () => {
      const { info } = guest;
      // Wherever it is: the running guest, the saved definition, or both. The driver finds the vNIC by its MAC.
      const live = info.active && presence !== 'config-only';
      const config = info.persistent && presence !== 'live-only';
      const xml = formatAttachInterfaceXml({ type: nic.type, source: nic.source ?? '', mac: nic.mac });
      const made = await conflicts.onGuest(guest, t('guests.removeNicTitle', { mac: nic.mac, name: info.name }), (ifMatch) =>
        client.guestDetachDevice(info.name, xml, { live, config }, basedOn(ifMatch)),
      );
      if (made) notify('success', t('guests.nicRemoved', { mac: nic.mac, name: info.name }));
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
  const conflicts = useConflicts();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<GuestNic>();
  const [busy, setBusy] = useState(false);
  const { info } = guest;
  const col = nicColumns(t);

  const power = async (): Promise<void> => {
    setBusy(true);
    try {
      const label = info.active ? t('guests.stopNamed', { name: info.name }) : t('guests.startNamed', { name: info.name });
      await conflicts.onGuest(guest, label, (ifMatch) =>
        info.active ? client.guestDestroy(info.name, basedOn(ifMatch)) : client.guestStart(info.name, basedOn(ifMatch)),
      );
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
    <Card data-testid={`guest-${info.name}`} id={`guest-card-${encodeURIComponent(info.name)}`} tabIndex={-1}>
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
          <span className="vn-name" title={info.name}>
            {info.name}
          </span>{' '}
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
          rows={guestNics(guest).map((entry) => ({ guest, nic: entry.nic, entry }))}
          rowKey={({ nic }) => nic.mac}
          rowTestId={({ nic }) => `nic-${nic.mac}`}
          columns={[
            col.mac,
            { label: t('guests.nic.type'), cell: ({ nic }) => nic.type },
            { label: t('guests.nic.source'), cell: ({ nic }) => sourceCell(nic) },
            col.model,
            col.target,
            col.addresses,
            ...(guestNics(guest).some((e) => e.presence !== 'both')
              ? [
                  {
                    label: t('pending.column'),
                    cell: ({ entry }: { entry: GuestNic }) =>
                      entry.presence === 'both' ? null : <PendingLabel pending={entry.presence === 'live-only' ? 'live-only' : 'next-start'} />,
                  },
                ]
              : []),
          ]}
          action={({ entry }) => <RemoveButton onClick={() => setRemoving(entry)} label={t('guests.removeNicNamed', { mac: entry.nic.mac })} />}
        />
      </CardBody>
      {adding && <AddNicModal guest={guest} onClose={() => setAdding(false)} />}
      {removing && <RemoveNicModal guest={guest} entry={removing} onClose={() => setRemoving(undefined)} />}
    </Card>
  );
}

export default function GuestsPage({ focus }: { focus?: string }) {
  const { t } = useTranslation();
  const store = useStore();
  // Opened for one guest (from the topology): bring its card into view.
  const shown = store.guests.some((g) => g.info.name === focus);
  useEffect(() => {
    if (!shown || focus === undefined) return;
    const card = document.getElementById(`guest-card-${encodeURIComponent(focus)}`);
    card?.scrollIntoView({ block: 'start' });
    card?.focus();
  }, [focus, shown]);
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
