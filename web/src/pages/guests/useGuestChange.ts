/**
 * How a guest dialog (add a vNIC, remove one) runs its change: busy while it
 * runs, the daemon's message kept for the dialog to show when it fails, and
 * the guests reloaded either way so the page shows what the daemon holds.
 */
import { useState } from 'react';
import { errorMessage } from '../../i18n/errors.js';
import { useStore } from '../../state/store.js';

export function useGuestChange() {
  const store = useStore();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  /** Runs `action` (which closes the dialog itself on success). */
  const run = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      void store.refreshGuests();
    }
  };

  return { busy, error, setError, run };
}
