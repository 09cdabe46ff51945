/**
 * How the DHCP and DNS tabs apply one change to a network (net-update, or
 * a new saved definition), based on the version the page shows: a
 * conflict with someone else's change asks the user (app/conflicts.tsx); a
 * failure from a Remove button becomes a danger toast with the daemon's
 * message; a failure from an inline add form is thrown back so the form
 * shows it under its fields. Either way the network is reloaded afterwards,
 * so the tables show what the daemon holds.
 */
import { errorMessage } from '../../i18n/errors.js';
import { useToasts } from '../../app/toasts.js';
import { useConflicts, type Change } from '../../app/conflicts.js';
import { useStore, type NetworkRow } from '../../state/store.js';

/** Runs `change`; `label` names it (for a conflict), `failedTitle` titles the toast; `rethrow` when an inline form shows the error itself. */
export type NetworkChange = (change: Change, label: string, failedTitle: string, rethrow?: boolean) => Promise<void>;

export function useNetworkChange(row: NetworkRow): NetworkChange {
  const { notify } = useToasts();
  const store = useStore();
  const conflicts = useConflicts();
  return async (change, label, failedTitle, rethrow = false) => {
    try {
      await conflicts.onNetwork(row, label, change);
    } catch (err) {
      if (rethrow) throw err;
      notify('danger', failedTitle, errorMessage(err));
    } finally {
      void store.refreshNetwork(row.info.name);
    }
  };
}
