import { OvsdbClient } from './client.js';

export type Connect = (remote: string) => Promise<OvsdbClient>;

/** A connection to one OVSDB server, made on first use and made again after it drops or fails. */
export class LazyConnection {
  private client: Promise<OvsdbClient> | undefined;

  constructor(
    readonly remote: string,
    private readonly connect: Connect = (r) => OvsdbClient.connect(r),
  ) {}

  /** The open connection, or a new one. */
  get(): Promise<OvsdbClient> {
    let c = this.client;
    if (c === undefined) {
      c = this.connect(this.remote);
      this.client = c;
      c.then(
        (client) =>
          client.onClose(() => {
            if (this.client === c) this.client = undefined;
          }),
        () => {
          if (this.client === c) this.client = undefined;
        },
      );
    }
    return c;
  }

  close(): void {
    const c = this.client;
    this.client = undefined;
    c?.then((client) => client.close()).catch(() => {});
  }
}
