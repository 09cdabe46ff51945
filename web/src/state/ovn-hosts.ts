/**
 * The OVN hosts (GET /api/console/ovn-hosts, src/ovn/hosts.ts) for the
 * pages that show them (Hosts, the topology's host groups): read while such
 * a page is open, again whenever the store's networks or guests change (a
 * port moves with its guest) and when asked; one read at a time, and what
 * changes during a read is read once after it.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { OvnHostsBody } from '../../../src/contract/console-api.js';
import { consoleApi } from '../api/client.js';
import { errorMessage } from '../i18n/errors.js';
import { useStore } from './store.js';

export interface OvnHostsView {
  body?: OvnHostsBody;
  error?: string;
  loading: boolean;
  reload(): void;
}

export function useOvnHosts(enabled: boolean): OvnHostsView {
  const { networks, guests, connection } = useStore();
  const [body, setBody] = useState<OvnHostsBody>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const running = useRef(false);
  const again = useRef(false);
  const mounted = useRef(true);

  const reload = useCallback((): void => {
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    setLoading(true);
    void (async () => {
      do {
        again.current = false;
        try {
          const next = await consoleApi.ovnHosts();
          if (!mounted.current) return;
          setBody(next);
          setError(undefined);
        } catch (err) {
          if (!mounted.current) return;
          setError(errorMessage(err));
        }
      } while (again.current);
      running.current = false;
      setLoading(false);
    })();
  }, []);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: networks and guests are not read; a change of either is what makes the hosts read again
  useEffect(() => {
    if (enabled && connection !== 'disconnected') reload();
  }, [enabled, networks, guests, connection, reload]);

  return { ...(body ? { body } : {}), ...(error !== undefined ? { error } : {}), loading, reload };
}
