/**
 * The console's view of the daemon, shared by every page: the networks
 * (each with its parsed XML), the guests with their vNICs (when the daemon
 * serves the guest API), the host's interfaces and routes, and a tick per
 * network that moves on each lease event (the DHCP tab re-reads leases).
 *
 * It follows the event stream: a lifecycle event re-reads that one network
 * (or drops it when it is gone), a guest event re-reads the guests, and a
 * `ready` frame after a reconnect re-reads everything. No page reloads.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { NetworkInfo } from '../../../src/contract/network-api.js';
import type { HostInfoBody } from '../../../src/contract/console-api.js';
import { consoleApi, type NetworkState } from '../api/networks.js';
import { subscribeEvents } from '../api/events.js';
import { readNetwork, type NetworkModel } from '../model/network.js';
import { loadGuests, type GuestRow } from './guests.js';

export interface NetworkRow {
  info: NetworkInfo;
  /** The live XML for an active network, the persistent one otherwise. */
  xml?: string;
  model?: NetworkModel;
}

export interface Store {
  networks: NetworkRow[];
  loaded: boolean;
  loadError?: string;
  host?: HostInfoBody;
  /** undefined while unknown; false when the daemon has no guest API. */
  guestsAvailable?: boolean;
  guests: GuestRow[];
  leaseTick: Record<string, number>;
  refreshNetwork(name: string): Promise<void>;
  refreshAll(): Promise<void>;
  refreshHost(): Promise<void>;
  refreshGuests(): Promise<void>;
}

const StoreContext = createContext<Store | undefined>(undefined);

function toRow(state: NetworkState): NetworkRow {
  const model = readNetwork(state.xml);
  return { info: state.info, xml: state.xml, ...(model ? { model } : {}) };
}

const byName = (a: NetworkRow, b: NetworkRow): number => a.info.name.localeCompare(b.info.name);

export function StoreProvider({ children }: { children: ReactNode }) {
  const [networks, setNetworks] = useState<Map<string, NetworkRow>>(new Map());
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<string>();
  const [host, setHost] = useState<HostInfoBody>();
  const [guests, setGuests] = useState<GuestRow[]>([]);
  const [guestsAvailable, setGuestsAvailable] = useState<boolean>();
  const [leaseTick, setLeaseTick] = useState<Record<string, number>>({});
  const seq = useRef(new Map<string, number>());

  const refreshNetwork = useCallback(async (name: string) => {
    const n = (seq.current.get(name) ?? 0) + 1;
    seq.current.set(name, n);
    let row: NetworkRow | undefined;
    try {
      // One snapshot: a network that is gone comes back as null, not as an error.
      const { network } = await consoleApi.network(name);
      row = network ? toRow(network) : undefined;
    } catch {
      return;
    }
    if (seq.current.get(name) !== n) return;
    setNetworks((old) => {
      const next = new Map(old);
      if (row) next.set(name, row);
      else next.delete(name);
      return next;
    });
  }, []);

  const refreshAll = useCallback(async () => {
    try {
      const { networks: all } = await consoleApi.networks();
      setNetworks(new Map(all.map((state) => [state.info.name, toRow(state)])));
      setLoadError(undefined);
    } catch (err) {
      setLoadError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoaded(true);
    }
  }, []);

  const refreshHost = useCallback(async () => {
    try {
      setHost(await consoleApi.host());
    } catch {
      /* the wizard works without host facts, minus their checks */
    }
  }, []);

  const refreshGuests = useCallback(async () => {
    const result = await loadGuests();
    setGuestsAvailable(result.available);
    setGuests(result.guests);
  }, []);

  useEffect(() => {
    let first = true;
    let leaseTimer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = subscribeEvents((event) => {
      if (event.kind === 'ready') {
        // The first ready frame: the initial load below covers it. Later ones follow a reconnect.
        if (!first) {
          void refreshAll();
          void refreshGuests();
        }
        first = false;
        return;
      }
      if (event.kind === 'lifecycle') {
        void refreshNetwork(event.network.name);
        // Guests' vNICs are plugged in and out with their networks.
        if (event.event === 'Started' || event.event === 'Stopped') void refreshGuests();
      } else if (event.kind === 'lease') {
        const name = event.network.name;
        setLeaseTick((old) => ({ ...old, [name]: (old[name] ?? 0) + 1 }));
        // Guests' addresses come from the leases.
        if (leaseTimer === undefined) {
          leaseTimer = setTimeout(() => {
            leaseTimer = undefined;
            void refreshGuests();
          }, 200);
        }
      } else if (event.kind === 'guest') {
        void refreshGuests();
        // A vNIC changes its network's connection count.
        setNetworks((old) => {
          for (const name of old.keys()) void refreshNetwork(name);
          return old;
        });
      }
    });
    void refreshAll();
    void refreshHost();
    void refreshGuests();
    return () => {
      unsubscribe();
      if (leaseTimer !== undefined) clearTimeout(leaseTimer);
    };
  }, [refreshAll, refreshHost, refreshGuests, refreshNetwork]);

  const value = useMemo<Store>(
    () => ({
      networks: [...networks.values()].sort(byName),
      loaded,
      ...(loadError !== undefined ? { loadError } : {}),
      ...(host ? { host } : {}),
      ...(guestsAvailable !== undefined ? { guestsAvailable } : {}),
      guests,
      leaseTick,
      refreshNetwork,
      refreshAll,
      refreshHost,
      refreshGuests,
    }),
    [networks, loaded, loadError, host, guestsAvailable, guests, leaseTick, refreshNetwork, refreshAll, refreshHost, refreshGuests],
  );
  return <StoreContext.Provider value={value}>{children}</StoreContext.Provider>;
}

export function useStore(): Store {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore outside StoreProvider');
  return store;
}

export function useNetwork(name: string): NetworkRow | undefined {
  return useStore().networks.find((n) => n.info.name === name);
}
