/**
 * What every listener of virtnetd lets in: a bounded number of connections
 * per listener and per client uid, and none that sits idle for long. The
 * gate owns the listening socket; a connection it admits is handed to the
 * protocol behind it (`onAdmit`: the REST API's HTTP server, or any other),
 * which never sees the ones it refuses.
 *
 * - Per listener: at most `maxConnections` at once; one more is closed on
 *   arrival (net.Server's maxConnections), so a flood cannot take the
 *   daemon's descriptors, which its own work (starting ip, nft, dnsmasq)
 *   needs.
 * - Per uid (unix sockets): at most `maxPerUid` connections of one client
 *   uid, so one local user cannot take the read-only socket from the others.
 *   The uid comes from `PeerCredentials` (src/host/unix-peers.ts), which
 *   costs a process, so it is asked only while a uid could be over its
 *   share (more connections than `maxPerUid` in all), for every waiting
 *   connection at once; a connection waits, unread, until it is known.
 *   A peer whose uid cannot be found counts as one more uid ("unknown").
 *   While uids cannot be asked at all (ss failed) connections are let in
 *   under the listener's bound; the next answer closes a uid's newest
 *   connections beyond its share.
 * - Idle: a connection with no traffic either way for `idleTimeoutMs` is
 *   closed (the event stream's keep-alive comments are traffic).
 * - Errors: an accept that fails (EMFILE) or a socket error is logged, at
 *   most once per `warnEveryMs` for floods, and never ends the process.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync } from 'node:fs';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { PeerCredentials } from '../host/unix-peers.js';
import { socketInode } from '../host/unix-peers.js';

export interface ConnectionPolicy {
  /** Connections served at once on this listener. */
  maxConnections: number;
  /** Connections of one client uid at once (unix sockets with `peers`); unlimited when absent. */
  maxPerUid?: number;
  /** Close a connection after this long without traffic; 0 = never. */
  idleTimeoutMs: number;
}

/** The defaults: libvirt's max_clients is 5000 for a C daemon; ours are sized for Node's descriptors and memory. */
const DEFAULT_POLICY: Readonly<ConnectionPolicy> = { maxConnections: 512, maxPerUid: 64, idleTimeoutMs: 120_000 };

interface GateOptions {
  policy: ConnectionPolicy;
  /** Hand an admitted connection to its protocol (it is paused: the protocol resumes it or reads from its handle). */
  onAdmit: (socket: Socket) => void;
  /** Where client uids come from (unix sockets); without it only the per-listener bound applies. */
  peers?: PeerCredentials;
  logger?: Pick<FastifyBaseLogger, 'warn' | 'error' | 'debug'>;
  /** Repeated warnings (refused connections, failed accepts) at most this often; default 10 s. */
  warnEveryMs?: number;
}

type Uid = number | 'unknown';

interface Entry {
  socket: Socket;
  inode: number | undefined;
  /** undefined until asked. */
  uid: Uid | undefined;
  admitted: boolean;
}

export class ConnectionGate {
  readonly server: Server;
  private readonly entries = new Set<Entry>();
  private readonly perUid = new Map<Uid, number>();
  private waiting: Entry[] = [];
  private resolving = false;
  private readonly lastWarning = new Map<string, number>();
  /** Connections refused since the start (by the listener bound, by the uid bound). */
  readonly refused = { listener: 0, uid: 0 };

  constructor(private readonly options: GateOptions) {
    this.server = createServer({ pauseOnConnect: true }, (socket) => this.onConnection(socket));
    this.server.maxConnections = options.policy.maxConnections;
    this.server.on('drop', () => {
      this.refused.listener++;
      this.warn('listener-full', { max: options.policy.maxConnections }, 'too many connections; closing new ones');
    });
    // Accept failures (EMFILE, ENFILE) and the like: logged, never fatal.
    this.server.on('error', (err) => this.warn(`error-${(err as NodeJS.ErrnoException).code ?? 'other'}`, { err }, 'listener error'));
  }

  /** Connections open now. */
  get size(): number {
    return this.entries.size;
  }

  /** Open connections by uid (those asked about). */
  uidCounts(): ReadonlyMap<Uid, number> {
    return this.perUid;
  }

  /** Listen on a unix socket created with exactly `mode`, or on a TCP address. */
  async listen(where: { path: string; mode: number } | { host: string; port: number }): Promise<void> {
    const old = 'path' in where ? process.umask(0o077) : undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const fail = (err: Error): void => reject(err);
        this.server.once('error', fail);
        const done = (): void => {
          this.server.off('error', fail);
          resolve();
        };
        if ('path' in where) this.server.listen(where.path, done);
        else this.server.listen(where.port, where.host, done);
      });
    } finally {
      if (old !== undefined) process.umask(old);
    }
    if ('path' in where) chmodSync(where.path, where.mode);
  }

  /** Stop accepting new connections (at once); the open ones go on. */
  stopAccepting(): void {
    // net.Server's close callback waits for every connection to end; the listening socket itself closes now.
    if (this.server.listening) this.server.close();
  }

  /**
   * Stop accepting, give the open connections `graceMs` to end (their
   * protocol closes them: finished requests, ended event streams), then
   * close what is left; resolves when every connection is closed.
   */
  async close(graceMs = 0): Promise<void> {
    this.stopAccepting();
    const open = [...this.entries].map(
      (e) => new Promise<void>((resolve) => (e.socket.closed ? resolve() : e.socket.once('close', () => resolve()))),
    );
    if (graceMs > 0 && open.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(open), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    for (const e of this.entries) e.socket.destroy();
    await Promise.all(open);
  }

  private warn(key: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const every = this.options.warnEveryMs ?? 10_000;
    const last = this.lastWarning.get(key);
    if (last !== undefined && now - last < every) return;
    this.lastWarning.set(key, now);
    this.options.logger?.warn({ ...fields, refused: this.refused }, message);
  }

  private onConnection(socket: Socket): void {
    const { policy } = this.options;
    const entry: Entry = { socket, inode: undefined, uid: undefined, admitted: false };
    this.entries.add(entry);
    socket.on('error', (err) => this.options.logger?.debug({ err }, 'connection error'));
    socket.once('close', () => this.forget(entry));
    if (policy.idleTimeoutMs > 0) {
      socket.setTimeout(policy.idleTimeoutMs, () => socket.destroy());
    }
    const perUid = policy.maxPerUid;
    if (perUid === undefined || this.options.peers === undefined) {
      this.admit(entry);
      return;
    }
    entry.inode = socketInode(socket);
    // While no more connections are open than one uid may hold, no uid can be over its share.
    if (this.entries.size <= perUid) {
      this.admit(entry);
      return;
    }
    this.waiting.push(entry);
    void this.resolveWaiting();
  }

  private forget(entry: Entry): void {
    if (!this.entries.delete(entry)) return;
    if (entry.admitted && entry.uid !== undefined) {
      const n = (this.perUid.get(entry.uid) ?? 1) - 1;
      if (n <= 0) this.perUid.delete(entry.uid);
      else this.perUid.set(entry.uid, n);
    }
  }

  private count(entry: Entry): void {
    if (entry.uid !== undefined) this.perUid.set(entry.uid, (this.perUid.get(entry.uid) ?? 0) + 1);
  }

  private admit(entry: Entry): void {
    if (entry.socket.destroyed) return;
    entry.admitted = true;
    this.count(entry);
    try {
      this.options.onAdmit(entry.socket);
    } catch (err) {
      this.options.logger?.error({ err }, 'cannot serve a connection');
      entry.socket.destroy();
    }
  }

  /**
   * Close a uid's newest admitted connections beyond its share: those let in
   * while uids could not be asked (a failed or timed-out ss), which the
   * per-uid bound would otherwise never see again.
   */
  private closeBeyondShare(max: number): void {
    const byUid = new Map<Entry['uid'], Entry[]>();
    for (const e of this.entries) {
      if (!e.admitted || e.uid === undefined || e.socket.destroyed) continue;
      const list = byUid.get(e.uid) ?? [];
      list.push(e);
      byUid.set(e.uid, list);
    }
    for (const [uid, list] of byUid) {
      if (list.length <= max) continue;
      this.refused.uid += list.length - max;
      this.warn(`uid-${uid}`, { uid, max }, 'too many connections from one uid; closing new ones');
      for (const e of list.slice(max)) e.socket.destroy();
    }
  }

  /** Ask for the uids of every waiting connection and of the admitted ones not asked about yet, in one run. */
  private async resolveWaiting(): Promise<void> {
    if (this.resolving) return;
    this.resolving = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting;
        this.waiting = [];
        const unknown = [...this.entries].filter((e) => e.uid === undefined && e.inode !== undefined && !e.socket.destroyed);
        let uids: Map<number, number | undefined>;
        try {
          uids = await this.options.peers!.uidsOf(unknown.map((e) => e.inode as number));
          // `ss -p` walks /proc while clients keep connecting: a socket made during the walk shows
          // no process, so no uid. Ask once more for those before counting them as a uid of their own.
          const missed = unknown.filter((e) => uids.get(e.inode as number) === undefined && !e.socket.destroyed).map((e) => e.inode as number);
          if (missed.length > 0) {
            for (const [inode, uid] of await this.options.peers!.uidsOf(missed)) if (uid !== undefined) uids.set(inode, uid);
          }
        } catch (err) {
          // Without credentials only the listener's bound holds: serve them.
          this.warn(
            'peers',
            { err: err instanceof Error ? err.message : String(err) },
            'cannot tell client uids apart; only the per-listener bound applies',
          );
          for (const e of batch) this.admit(e);
          continue;
        }
        for (const e of unknown) {
          if (!this.entries.has(e)) continue;
          e.uid = uids.get(e.inode as number) ?? 'unknown';
          if (e.admitted) this.count(e);
        }
        const max = this.options.policy.maxPerUid as number;
        this.closeBeyondShare(max);
        for (const e of batch) {
          if (e.socket.destroyed) continue;
          // Entries without an inode have no uid to count: served (the listener's bound holds).
          if (e.uid !== undefined && (this.perUid.get(e.uid) ?? 0) >= max) {
            this.refused.uid++;
            this.warn(`uid-${e.uid}`, { uid: e.uid, max }, 'too many connections from one uid; closing new ones');
            e.socket.destroy();
            continue;
          }
          this.admit(e);
        }
      }
    } finally {
      this.resolving = false;
    }
  }
}

/**
 * The bounds of one listener given the daemon's descriptor limit
 * (RLIMIT_NOFILE after raising it, src/api/open-files.ts): an eighth of
 * it per listener, between 16 and DEFAULT_POLICY's, so that the daemon's
 * listeners together never take more than about half and its own work
 * (pipes to ip, nft, dnsmasq; status files) always has descriptors left.
 */
export function connectionPolicy(openFiles: number, perUid: boolean): ConnectionPolicy {
  const maxConnections = Math.max(16, Math.min(DEFAULT_POLICY.maxConnections, Math.floor(openFiles / 8)));
  const policy: ConnectionPolicy = { maxConnections, idleTimeoutMs: DEFAULT_POLICY.idleTimeoutMs };
  if (perUid) policy.maxPerUid = Math.min(DEFAULT_POLICY.maxPerUid ?? maxConnections, Math.max(4, Math.floor(maxConnections / 2)));
  return policy;
}

/**
 * Serve a fastify instance through a gate: fastify never listens itself;
 * each admitted connection goes to its HTTP (or HTTPS) server as if that
 * server had accepted it. The server is told it listens, so Node's
 * headersTimeout and requestTimeout checks run for it.
 */
export async function serveHttpThroughGate(
  app: FastifyInstance,
  where: { path: string; mode: number } | { host: string; port: number },
  options: Omit<GateOptions, 'onAdmit'>,
): Promise<ConnectionGate> {
  const server = app.server;
  const gate = new ConnectionGate({
    ...options,
    onAdmit: (socket) => {
      server.emit('connection', socket);
      socket.resume();
    },
  });
  await gate.listen(where);
  server.emit('listening');
  return gate;
}
