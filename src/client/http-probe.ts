/**
 * connect()'s version probe folded into the first call (ConnectOptions.deferProbe):
 * the first GET goes out at once, and a success answer that carries virtnetd's
 * header (DAEMON_HEADER) settles the probe; any other outcome of it (an error
 * answer, a daemon too old to set the header, no daemon at all) runs the real
 * probe, so the connection fails exactly when and as connect() would have, and
 * a call made meanwhile waits for it. Every other call waits for the probe.
 * When the probe fails, `failure` resolves with its error and the calls waiting
 * for it are never answered: the CLI reports the failed connection instead.
 * Dependency-free.
 */

/** The probe's outcome as the CLI sees it (VirtnetClient.probe). */
export interface ConnectProbe {
  /** Resolves once the daemon is known to be virtnetd, running the probe now if no call has yet; rejects with the probe's error. */
  settled(): Promise<void>;
  /** Resolves with the probe's error if it fails; never otherwise. */
  readonly failure: Promise<unknown>;
  /** Resolves once the daemon is known to be virtnetd; never otherwise (and runs nothing). */
  readonly passed: Promise<void>;
}

export class FirstCallProbe implements ConnectProbe {
  private outcome: Promise<void> | undefined;
  private vouchFirst: ((vouched: boolean) => void) | undefined;
  private reportFailure!: (err: unknown) => void;
  private reportPassed!: () => void;
  readonly failure = new Promise<unknown>((resolve) => {
    this.reportFailure = resolve;
  });
  readonly passed = new Promise<void>((resolve) => {
    this.reportPassed = resolve;
  });

  constructor(
    /** The version probe itself, on the connection. */
    private readonly probe: () => Promise<unknown>,
  ) {}

  /** Whether the call about to go out is the first: if so, it answers for the probe through vouch(). */
  takeFirst(): boolean {
    if (this.outcome !== undefined) return false;
    this.outcome = this.guard(
      new Promise<boolean>((resolve) => {
        this.vouchFirst = resolve;
      }).then((vouched) => (vouched ? undefined : this.run())),
    );
    return true;
  }

  /** The first call's outcome: whether it was a success answer from virtnetd; resolves or rejects as the probe does. */
  vouch(vouched: boolean): Promise<void> {
    this.vouchFirst?.(vouched);
    this.vouchFirst = undefined;
    return this.outcome as Promise<void>;
  }

  settled(): Promise<void> {
    this.outcome ??= this.guard(this.run());
    return this.outcome;
  }

  private async run(): Promise<void> {
    try {
      await this.probe();
    } catch (err) {
      this.reportFailure(err);
      throw err;
    }
  }

  /** The outcome, reported to `passed` and with its rejection marked handled (whoever awaits it still sees it). */
  private guard(outcome: Promise<void>): Promise<void> {
    outcome.then(this.reportPassed, () => undefined);
    return outcome;
  }
}
