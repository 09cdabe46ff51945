/**
 * What a user can do to a whole network, shared by the networks table and
 * the details page: start, stop, the autostart switch, and delete (after a
 * confirmation that names the guests with vNICs on it). Failures come back
 * as toasts carrying the daemon's message.
 */
import { useState } from 'react';
import { Content, List, ListItem } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import type { NetworkInfo } from '../../../../src/contract/network-api.js';
import { client, basedOn } from '../../api/client.js';
import { errorMessage } from '../../i18n/errors.js';
import { useToasts } from '../../app/toasts.js';
import { useConflicts, type Change } from '../../app/conflicts.js';
import { useStore, type NetworkRow } from '../../state/store.js';
import { guestNamesOnNetwork } from '../../state/guests.js';
import { ConfirmModal } from '../../components/ConfirmModal.js';

export function useNetworkActions() {
  const { t } = useTranslation();
  const { notify } = useToasts();
  const store = useStore();
  const conflicts = useConflicts();
  const [busy, setBusy] = useState<Record<string, boolean>>({});

  /** Make a change based on the version the page shows; a conflict asks the user, a failure is a toast. */
  const run = async (row: NetworkRow, label: string, change: Change, failed: string, done?: string): Promise<boolean> => {
    const name = row.info.name;
    setBusy((b) => ({ ...b, [name]: true }));
    try {
      const made = await conflicts.onNetwork(row, label, change);
      if (made && done) notify('success', done);
      return made;
    } catch (err) {
      notify('danger', failed, errorMessage(err));
      return false;
    } finally {
      setBusy((b) => ({ ...b, [name]: false }));
      void store.refreshNetwork(name);
    }
  };

  return {
    busy,
    start: (row: NetworkRow) =>
      run(
        row,
        t('actions.startNamed', { name: row.info.name }),
        (ifMatch) => client.start(row.info.name, basedOn(ifMatch)),
        t('actions.startFailed', { name: row.info.name }),
      ),
    /** `force` once the user has confirmed stopping a network that guests use. */
    stop: (row: NetworkRow, force = false) =>
      run(
        row,
        t('actions.stopNamed', { name: row.info.name }),
        (ifMatch) => client.destroy(row.info.name, { force, ...basedOn(ifMatch) }),
        t('actions.stopFailed', { name: row.info.name }),
      ),
    setAutostart: (row: NetworkRow, on: boolean) =>
      run(
        row,
        on ? t('actions.autostartOnNamed', { name: row.info.name }) : t('actions.autostartOffNamed', { name: row.info.name }),
        (ifMatch) => client.setAutostart(row.info.name, on, basedOn(ifMatch)),
        t('actions.autostartFailed', { name: row.info.name }),
      ),
    remove: (row: NetworkRow) =>
      run(
        row,
        t('actions.deleteNamed', { name: row.info.name }),
        async (ifMatch) => {
          const { info } = row;
          // The confirmation named the attached guests: go on despite them.
          if (info.active) await client.destroy(info.name, { force: true, ...basedOn(ifMatch) });
          if (info.persistent) await client.undefine(info.name, { force: true, ...(info.active ? {} : basedOn(ifMatch)) });
        },
        t('actions.deleteFailed', { name: row.info.name }),
        t('actions.deleted', { name: row.info.name }),
      ),
  };
}

/** The guests with a vNIC on the network, as a counted, labelled list. */
function AttachedGuests({ names, testId }: { names: string[]; testId: string }) {
  const { t } = useTranslation();
  return (
    <>
      <Content component="p">
        <strong>{t('delete.guests', { count: names.length })}</strong>
      </Content>
      <List aria-label={t('delete.guestsLabel')} data-testid={testId}>
        {names.map((g) => (
          <ListItem key={g}>{g}</ListItem>
        ))}
      </List>
    </>
  );
}

export function DeleteNetworkModal({ info, onClose, onConfirm }: { info: NetworkInfo; onClose: () => void; onConfirm: () => void }) {
  const { t } = useTranslation();
  const { guests, guestsAvailable } = useStore();
  const attached = guestNamesOnNetwork(guests, info);
  return (
    <ConfirmModal
      titleId="delete-network-title"
      title={t('delete.title', { name: info.name })}
      bodyId="delete-network-body"
      confirmLabel={t('delete.confirm')}
      confirmVariant="danger"
      onConfirm={onConfirm}
      onClose={onClose}
    >
      <Content component="p">{info.persistent ? t('delete.persistent') : t('delete.transient')}</Content>
      {info.active && <Content component="p">{t('delete.active')}</Content>}
      {attached.length > 0 && <AttachedGuests names={attached} testId="delete-guests" />}
      {attached.length === 0 && guestsAvailable && <Content component="p">{t('delete.noGuests')}</Content>}
    </ConfirmModal>
  );
}

/** Stopping a network that guests use: name them, and say they are plugged back in at the next start. */
export function StopNetworkModal({ info, onClose, onConfirm }: { info: NetworkInfo; onClose: () => void; onConfirm: () => void }) {
  const { t } = useTranslation();
  const { guests } = useStore();
  const attached = guestNamesOnNetwork(guests, info);
  return (
    <ConfirmModal
      titleId="stop-network-title"
      title={t('stop.title', { name: info.name })}
      bodyId="stop-network-body"
      confirmLabel={t('stop.confirm')}
      confirmVariant="warning"
      onConfirm={onConfirm}
      onClose={onClose}
    >
      <AttachedGuests names={attached} testId="stop-guests" />
      <Content component="p">{info.persistent ? t('stop.replug') : t('stop.transient')}</Content>
    </ConfirmModal>
  );
}

/** The stop button's behaviour: straight away, or after the confirmation when guests use the network. */
export function useStopWithConfirmation(actions: ReturnType<typeof useNetworkActions>) {
  const { guests } = useStore();
  const [confirming, setConfirming] = useState<NetworkRow>();
  const request = (row: NetworkRow): void => {
    if (guestNamesOnNetwork(guests, row.info).length > 0) setConfirming(row);
    else void actions.stop(row);
  };
  const modal = confirming ? (
    <StopNetworkModal
      info={confirming.info}
      onClose={() => setConfirming(undefined)}
      onConfirm={() => {
        const row = confirming;
        setConfirming(undefined);
        void actions.stop(row, true);
      }}
    />
  ) : null;
  return { request, modal };
}
