/**
 * The console's view of the daemon, shared by every page: the networks
 * (each with its model and, while it runs, the saved model it takes at its
 * next start, and its version for the If-Match of changes), the guests
 * with their vNICs (when the daemon serves the guest API), the host's
 * interfaces and routes, a tick per network that moves on each lease
 * event (the DHCP tab re-reads leases), and the connection to the daemon.
 *
 * It follows the event stream: a lifecycle or autostart event re-reads
 * that one network (or drops it when it is gone), a guest event re-reads
 * the guests, through one queue (refresh-queue.ts), so a burst of events
 * costs a few reads. When the connection comes back after a break,
 * everything is read again (what happened meanwhile was missed, not lost).
 * No page reloads.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { NetworkInfo } from '../../../src/contract/network-api.js';
import type { NetworkDef } from '../../../src/conf/network/types.js';
import type { HostInfoBody, NetworkState } from '../../../src/contract/console-api.js';
import { client, consoleApi, transport } from '../api/client.js';
import type { ConnectionState } from '../api/fetch-transport.js';
import { errorMessage } from '../i18n/errors.js';
import { toModel, type NetworkModel } from '../model/network.js';
import { loadGuests, type GuestRow } from './guests.js';
import { RefreshQueue } from './refresh-queue.js';

export interface NetworkRow {
  info: NetworkInfo;
  /** The version the row shows (If-Match of changes made from it). */
  version?: string;
  /** The live definition of a running network, the saved one otherwise. */
  def: NetworkDef;
  model: NetworkModel;
  /** A running persistent network's saved definition: what it takes at its next start. */
  config?: NetworkDef;
  configModel?: NetworkModel;
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
  connection: ConnectionState;
  refreshNetwork(name: string): Promise<void>;
  refreshAll(): Promise<void>;
  refreshHost(): Promise<void>;
  refreshGuests(): Promise<void>;
}

const StoreContext = createContext<Store | undefined>(undefined);

function toRow(state: NetworkState): NetworkRow {
  return {
    info: state.info,
    def: state.def,
    model: toModel(state.def),
    ...(state.version !== undefined ? { version: state.version } : {}),
    ...(state.config ? { config: state.config, configModel: toModel(state.config) } : {}),
  };
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
  const [connection, setConnection] = useState<ConnectionState>('connecting');
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
      // The daemon is away: the connection says so, and everything is read again when it is back.
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
      // Reads of single networks still under way would put back what this answer replaces.
      for (const name of seq.current.keys()) seq.current.set(name, (seq.current.get(name) ?? 0) + 1);
      setNetworks(new Map(all.map((state) => [state.info.name, toRow(state)])));
      setLoadError(undefined);
      setLoaded(true);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  }, []);

  const refreshHost = useCallback(async () => {
    try {
      setHost(await consoleApi.host());
    } catch {
      /* the wizard works without host facts, minus their checks; the connection state tells why */
    }
  }, []);

  const refreshGuests = useCallback(async () => {
    try {
      const result = await loadGuests();
      setGuestsAvailable(result.available);
      setGuests(result.guests);
    } catch {
      /* read again once the connection is back */
    }
  }, []);

  useEffect(() => {
    const queue = new RefreshQueue(async (stale) => {
      await Promise.all([
        stale.all ? refreshAll() : Promise.all([...stale.networks].map(refreshNetwork)),
        stale.guests ? refreshGuests() : undefined,
      ]);
    });
    const feed = transport.events();
    const offState = feed.onState((state, resumed) => {
      setConnection(state);
      if (resumed) {
        // Back after a break: every list, and the leases of every network.
        queue.allNetworks();
        queue.guests();
        void refreshHost();
        setLeaseTick((old) => Object.fromEntries(Object.entries(old).map(([k, v]) => [k, v + 1])));
      }
    });
    const unsubscribe = client.subscribe((event) => {
      if (event.kind === 'lifecycle' || event.kind === 'autostart') {
        queue.network(event.network.name);
        // Guests' vNICs are plugged in and out with their networks.
        if (event.kind === 'lifecycle' && (event.event === 'Started' || event.event === 'Stopped')) queue.guests();
      } else if (event.kind === 'lease') {
        const name = event.network.name;
        setLeaseTick((old) => ({ ...old, [name]: (old[name] ?? 0) + 1 }));
        // Guests' addresses come from the leases.
        queue.guests();
      } else if (event.kind === 'health') {
        // Degraded (its rules changed outside virtnetd) or repaired: the network's state label follows.
        queue.network(event.network.name);
      } else if (event.kind === 'guest') {
        queue.guests();
        // A vNIC changes its network's connection count.
        queue.allNetworks();
      }
    });
    queue.allNetworks();
    queue.guests();
    void refreshHost();
    return () => {
      offState();
      unsubscribe();
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
      connection,
      refreshNetwork,
      refreshAll,
      refreshHost,
      refreshGuests,
    }),
    [networks, loaded, loadError, host, guestsAvailable, guests, leaseTick, connection, refreshNetwork, refreshAll, refreshHost, refreshGuests],
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
