/**
 * How the DHCP and DNS tabs apply one change to a network (net-update, or an
 * edit of the stored definition): a failure from a Remove button becomes a
 * danger toast with the daemon's message; a failure from an inline add form
 * is thrown back so the form shows it under its fields. Either way the
 * network is reloaded afterwards, so the tables show what the daemon holds.
 */
import { errorMessage } from '../../api/http.js';
import { useToasts } from '../../app/toasts.js';
import { useStore } from '../../state/store.js';

/** Runs `action`; `failedTitle` titles the toast; `rethrow` when an inline form shows the error itself. */
export type NetworkChange = (action: () => Promise<unknown>, failedTitle: string, rethrow?: boolean) => Promise<void>;

export function useNetworkChange(network: string): NetworkChange {
  const { notify } = useToasts();
  const store = useStore();
  return async (action, failedTitle, rethrow = false) => {
    try {
      await action();
    } catch (err) {
      if (rethrow) throw err;
      notify('danger', failedTitle, errorMessage(err));
    } finally {
      void store.refreshNetwork(network);
    }
  };
}
