/**
 * The OVN hosts (GET /api/console/ovn-hosts, src/ovn/hosts.ts) for the
 * pages that show them (Hosts, the topology's host groups): read while such
 * a page is open, again whenever the store's networks or guests change (a
 * port moves with its guest), when asked, and, for a page that gives an
 * interval (Hosts), every so often while the tab is visible
 * (model/hosts-refresh.ts); one read at a time, and what changes during a
 * read is read once after it. A read that fails keeps what was shown, with
 * when it was read, and says so until a read succeeds.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { OvnHostsBody } from '../../../src/contract/console-api.js';
import { consoleApi } from '../api/client.js';
import { errorMessage } from '../i18n/errors.js';
import { nextReadIn } from '../model/hosts-refresh.js';
import { usePageVisible } from './page-visible.js';
import { useStore } from './store.js';

export interface OvnHostsView {
  body?: OvnHostsBody;
  /** When the body shown was read (ms since the epoch). */
  readAt?: number;
  /** Why the last read failed, and when; gone once a read succeeds. */
  failure?: { message: string; at: number };
  /** A read the user asked for (reload) is under way. */
  checking: boolean;
  reload(): void;
}

/** `every`: read again this often (ms) while the tab is visible; only on changes and when asked without it. */
export function useOvnHosts(enabled: boolean, every?: number): OvnHostsView {
  const { networks, guests, connection } = useStore();
  const [body, setBody] = useState<OvnHostsBody>();
  const [readAt, setReadAt] = useState<number>();
  const [failure, setFailure] = useState<{ message: string; at: number }>();
  const [checking, setChecking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [lastEnded, setLastEnded] = useState<number>();
  const visible = usePageVisible();
  const running = useRef(false);
  const again = useRef(false);
  const mounted = useRef(true);

  const read = useCallback((asked: boolean): void => {
    if (asked) setChecking(true);
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    setBusy(true);
    void (async () => {
      do {
        again.current = false;
        try {
          const next = await consoleApi.ovnHosts();
          if (!mounted.current) return;
          setBody(next);
          setReadAt(Date.now());
          setFailure(undefined);
        } catch (err) {
          if (!mounted.current) return;
          setFailure({ message: errorMessage(err), at: Date.now() });
        }
      } while (again.current);
      running.current = false;
      setBusy(false);
      setChecking(false);
      setLastEnded(Date.now());
    })();
  }, []);

  const reload = useCallback(() => read(true), [read]);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: networks and guests are not read; a change of either is what makes the hosts read again
  useEffect(() => {
    if (enabled && connection !== 'disconnected') read(false);
  }, [enabled, networks, guests, connection, read]);

  // The timed read: armed after each read ends, never while one runs or the tab is hidden.
  useEffect(() => {
    const wait = nextReadIn({ every: enabled ? every : undefined, visible, busy, lastReadEnded: lastEnded }, Date.now());
    if (wait === undefined) return;
    const timer = setTimeout(() => read(false), wait);
    return () => clearTimeout(timer);
  }, [enabled, every, visible, busy, lastEnded, read]);

  return {
    ...(body ? { body } : {}),
    ...(readAt !== undefined ? { readAt } : {}),
    ...(failure ? { failure } : {}),
    checking,
    reload,
  };
}
