/**
 * What the console reads again after the daemon's events, one read at a
 * time: whatever becomes stale while a read is under way is read once after
 * it, so a burst of events (a script defining 100 guests) costs a few reads,
 * never one per event, nor one per network per event. Several networks
 * stale at once are read as one list.
 */

/** What a read must bring up to date. */
export interface Stale {
  /** Every network (the list as a whole). */
  all: boolean;
  /** These networks, when not `all`. */
  networks: ReadonlySet<string>;
  guests: boolean;
}

/** More networks stale at once than this are read as the whole list. */
const SINGLE_READS = 3;

export class RefreshQueue {
  private all = false;
  private networks = new Set<string>();
  private guestsStale = false;
  private running: Promise<void> | undefined;

  /** `read` brings what it is given up to date; a failure is its own to report (the queue goes on). */
  constructor(private readonly read: (stale: Stale) => Promise<void>) {}

  network(name: string): void {
    this.networks.add(name);
    this.kick();
  }

  allNetworks(): void {
    this.all = true;
    this.kick();
  }

  guests(): void {
    this.guestsStale = true;
    this.kick();
  }

  /** Settles once nothing is stale and no read is under way. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private hasWork(): boolean {
    return this.all || this.networks.size > 0 || this.guestsStale;
  }

  private kick(): void {
    this.running ??= this.drain();
  }

  private async drain(): Promise<void> {
    // What goes stale in the same turn is read together.
    await Promise.resolve();
    while (this.hasWork()) {
      const stale: Stale = { all: this.all || this.networks.size > SINGLE_READS, networks: this.networks, guests: this.guestsStale };
      this.all = false;
      this.networks = new Set();
      this.guestsStale = false;
      try {
        await this.read(stale);
      } catch {
        // The reader reports its own failures; what is stale later is read later.
      }
    }
    this.running = undefined;
  }
}
