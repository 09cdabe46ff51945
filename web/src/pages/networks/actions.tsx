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
import { networksApi } from '../../api/networks.js';
import { errorMessage } from '../../api/http.js';
import { useToasts } from '../../app/toasts.js';
import { useStore } from '../../state/store.js';
import { guestNamesOnNetwork } from '../../state/guests.js';
import { ConfirmModal } from '../../components/ConfirmModal.js';

export function useNetworkActions() {
  const { t } = useTranslation();
  const { notify } = useToasts();
  const store = useStore();
  const [busy, setBusy] = useState<Record<string, boolean>>({});

  const run = async (name: string, action: () => Promise<void>, failed: string, done?: string): Promise<boolean> => {
    setBusy((b) => ({ ...b, [name]: true }));
    try {
      await action();
      if (done) notify('success', done);
      return true;
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
    start: (name: string) => run(name, () => networksApi.start(name), t('actions.startFailed', { name })),
    /** `force` once the user has confirmed stopping a network that guests use. */
    stop: (name: string, force = false) => run(name, () => networksApi.destroy(name, force), t('actions.stopFailed', { name })),
    setAutostart: (name: string, on: boolean) => run(name, () => networksApi.setAutostart(name, on), t('actions.autostartFailed', { name })),
    remove: (info: NetworkInfo) =>
      run(
        info.name,
        async () => {
          // The confirmation named the attached guests: go on despite them.
          if (info.active) await networksApi.destroy(info.name, true);
          if (info.persistent) await networksApi.undefine(info.name, true);
        },
        t('actions.deleteFailed', { name: info.name }),
        t('actions.deleted', { name: info.name }),
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
  const [confirming, setConfirming] = useState<NetworkInfo>();
  const request = (info: NetworkInfo): void => {
    if (guestNamesOnNetwork(guests, info).length > 0) setConfirming(info);
    else void actions.stop(info.name);
  };
  const modal = confirming ? (
    <StopNetworkModal
      info={confirming}
      onClose={() => setConfirming(undefined)}
      onConfirm={() => {
        const name = confirming.name;
        setConfirming(undefined);
        void actions.stop(name, true);
      }}
    />
  ) : null;
  return { request, modal };
}
