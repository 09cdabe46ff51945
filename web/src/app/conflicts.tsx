/**
 * Changes made from what a page shows, and what happens when someone else
 * changed the same network or guest meanwhile. Every change names the
 * version the page showed (If-Match); the daemon refuses a stale one (412)
 * and changes nothing. The console then shows what the other change was —
 * the difference between what the page showed and what is there now — and
 * lets the user reload (dropping their change) or apply their change again
 * over the new version.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { Button, Content, List, ListItem, Modal, ModalBody, ModalFooter, ModalHeader } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { DefChange } from '../../../src/conf/network/diff.js';
import { diffNetworkDefs } from '../../../src/conf/network/diff.js';
import { consoleApi, isConflict } from '../api/client.js';
import { errorMessage } from '../i18n/errors.js';
import { useStore, type NetworkRow } from '../state/store.js';
import type { GuestRow } from '../state/guests.js';
import { changeText } from '../model/changes.js';
import { useToasts } from './toasts.js';
import { CloseButton } from '../components/CloseButton.js';

/** A change to make: given the version to base it on (undefined: none known). */
export type Change = (ifMatch: string | undefined) => Promise<unknown>;

interface Pending {
  kind: 'network' | 'guest';
  name: string;
  /** What the user wanted to do, in a few words ("Stop nat1"). */
  label: string;
  /** What the other change was, one line each. */
  lines: string[];
  /** The version now, for applying again. */
  version: string | undefined;
  change: Change;
  /** What the other change is and the version now, asked again after another refusal. */
  explain: () => Promise<{ lines: string[]; version: string | undefined }>;
  resolve: (done: boolean) => void;
}

interface ConflictApi {
  /** Run a change on a network as the page shows it; a conflict asks the user. Resolves true when it was made. */
  onNetwork(row: NetworkRow, label: string, change: Change): Promise<boolean>;
  onGuest(row: GuestRow, label: string, change: Change): Promise<boolean>;
}

const ConflictContext = createContext<ConflictApi | undefined>(undefined);

/** The other change to a network, as lines: its state, its saved definition, and its running one. */
export function networkChangeLines(before: NetworkRow, after: NetworkRow | undefined, t: TFunction): string[] {
  if (!after) return [t('conflict.gone')];
  const lines: string[] = [];
  if (before.info.active !== after.info.active) lines.push(after.info.active ? t('conflict.started') : t('conflict.stopped'));
  if (before.info.autostart !== after.info.autostart) lines.push(after.info.autostart ? t('conflict.autostartOn') : t('conflict.autostartOff'));
  if (before.info.persistent !== after.info.persistent) lines.push(after.info.persistent ? t('conflict.defined') : t('conflict.undefined'));
  const saved = (r: NetworkRow) => r.config ?? (r.info.persistent ? r.def : undefined);
  const b = saved(before);
  const a = saved(after);
  const add = (prefix: string, changes: DefChange[]): void => {
    for (const c of changes) lines.push(`${prefix}${changeText(c, t)}`);
  };
  if (b && a) add(`${t('conflict.saved')}: `, diffNetworkDefs(b, a));
  if (before.info.active && after.info.active) add(`${t('conflict.running')}: `, diffNetworkDefs(before.def, after.def));
  return lines.length > 0 ? lines : [t('conflict.nothingVisible')];
}

function guestChangeLines(before: GuestRow, after: GuestRow | undefined, t: TFunction): string[] {
  if (!after) return [t('conflict.gone')];
  const lines: string[] = [];
  if (before.info.active !== after.info.active) lines.push(after.info.active ? t('conflict.started') : t('conflict.stopped'));
  const macs = (g: GuestRow) => new Set([...g.interfaces, ...(g.configInterfaces ?? [])].map((n) => n.mac));
  const [b, a] = [macs(before), macs(after)];
  for (const m of a) if (!b.has(m)) lines.push(t('conflict.nicAdded', { mac: m }));
  for (const m of b) if (!a.has(m)) lines.push(t('conflict.nicRemoved', { mac: m }));
  return lines.length > 0 ? lines : [t('conflict.nothingVisible')];
}

export function ConflictProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const store = useStore();
  const { notify } = useToasts();
  const [pending, setPending] = useState<Pending>();
  const [busy, setBusy] = useState(false);

  const attempt = useCallback(
    async (
      kind: 'network' | 'guest',
      name: string,
      label: string,
      version: string | undefined,
      change: Change,
      explain: () => Promise<{ lines: string[]; version: string | undefined }>,
    ): Promise<boolean> => {
      try {
        await change(version);
        return true;
      } catch (err) {
        if (!isConflict(err)) throw err;
        const { lines, version: now } = await explain();
        return new Promise<boolean>((resolve) => setPending({ kind, name, label, lines, version: now, change, explain, resolve }));
      }
    },
    [],
  );

  const api = useMemo<ConflictApi>(
    () => ({
      onNetwork: (row, label, change) =>
        attempt('network', row.info.name, label, row.version, change, async () => {
          const { network } = await consoleApi.network(row.info.name);
          const after = network ? { info: network.info, def: network.def, ...(network.config ? { config: network.config } : {}) } : undefined;
          return { lines: networkChangeLines(row, after as NetworkRow | undefined, t), version: network?.version };
        }),
      onGuest: (row, label, change) =>
        attempt('guest', row.info.name, label, row.version, change, async () => {
          const { guests } = await consoleApi.guests();
          const after = guests.find((g) => g.info.name === row.info.name);
          return { lines: guestChangeLines(row, after, t), version: after?.version };
        }),
    }),
    [attempt, t],
  );

  const close = (done: boolean): void => {
    pending?.resolve(done);
    setPending(undefined);
    void store.refreshAll();
    void store.refreshGuests();
  };

  const reapply = async (): Promise<void> => {
    if (!pending) return;
    setBusy(true);
    try {
      await pending.change(pending.version);
      close(true);
    } catch (err) {
      if (isConflict(err)) {
        // Changed again meanwhile: show what is there now, and its version.
        const again = await pending.explain();
        setPending({ ...pending, ...again });
      } else {
        notify('danger', t('conflict.reapplyFailed', { what: pending.label }), errorMessage(err));
        close(false);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <ConflictContext.Provider value={api}>
      {children}
      {pending && (
        <Modal
          isOpen
          variant="medium"
          onEscapePress={() => close(false)}
          aria-labelledby="conflict-title"
          aria-describedby="conflict-body"
          data-testid="conflict"
        >
          <ModalHeader
            title={t('conflict.title', { name: pending.name })}
            labelId="conflict-title"
            titleIconVariant="warning"
            titleScreenReaderText={t('common.alert.warning')}
            help={<CloseButton onClick={() => close(false)} />}
          />
          <ModalBody id="conflict-body">
            <Content component="p">{t('conflict.intro', { what: pending.label })}</Content>
            <List data-testid="conflict-changes">
              {pending.lines.map((line, i) => (
                <ListItem key={i}>{line}</ListItem>
              ))}
            </List>
          </ModalBody>
          <ModalFooter>
            <Button variant="primary" onClick={() => void reapply()} isLoading={busy} isDisabled={busy || pending.version === undefined}>
              {t('conflict.reapply')}
            </Button>
            <Button variant="secondary" onClick={() => close(false)} isDisabled={busy}>
              {t('conflict.reload')}
            </Button>
          </ModalFooter>
        </Modal>
      )}
    </ConflictContext.Provider>
  );
}

export function useConflicts(): ConflictApi {
  const api = useContext(ConflictContext);
  if (!api) throw new Error('useConflicts outside ConflictProvider');
  return api;
}
