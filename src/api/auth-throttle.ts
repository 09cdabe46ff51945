/**
 * How fast secrets may be guessed on the TCP listener: failed attempts (a
 * wrong bearer token, a wrong token at the console's login) drain a token
 * bucket per client address and one for everybody; while either is empty,
 * every attempt is refused with 429 before its secret is even compared, so
 * a guesser learns nothing faster than the refill rate. A right token or a
 * live session costs nothing. Defaults: 10 failures at once per client and
 * then one a second, 50 and 5 a second for all clients together (2,400 bad
 * tokens in 2 s were all evaluated before).
 */
import { VirError } from '../util/errors.js';

interface ThrottleOptions {
  /** Failures a client may have at once. */
  burst: number;
  /** Failures a client regains per second. */
  perSecond: number;
  /** The same for all clients together. */
  globalBurst: number;
  globalPerSecond: number;
  /** Clients remembered at most (the least recently seen are forgotten). */
  maxClients: number;
  now: () => number;
}

const DEFAULTS: ThrottleOptions = { burst: 10, perSecond: 1, globalBurst: 50, globalPerSecond: 5, maxClients: 10_000, now: Date.now };

/** Refused for now: 429, with the seconds to wait (Retry-After). */
export class ThrottledError extends VirError {
  constructor(
    detail: string,
    readonly retryAfterS: number,
  ) {
    super('AUTH_FAILED', detail);
    this.name = 'ThrottledError';
    this.status = 429;
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

export class AuthThrottle {
  private readonly options: ThrottleOptions;
  private readonly clients = new Map<string, Bucket>();
  private readonly all: Bucket;

  constructor(options: Partial<ThrottleOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.all = { tokens: this.options.globalBurst, at: this.options.now() };
  }

  private refill(b: Bucket, burst: number, perSecond: number): void {
    const t = this.options.now();
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
    b.at = t;
  }

  private bucket(client: string): Bucket {
    let b = this.clients.get(client);
    if (b === undefined) {
      b = { tokens: this.options.burst, at: this.options.now() };
      if (this.clients.size >= this.options.maxClients) {
        const oldest = this.clients.keys().next().value;
        if (oldest !== undefined) this.clients.delete(oldest);
      }
    } else {
      this.clients.delete(client);
    }
    this.clients.set(client, b);
    this.refill(b, this.options.burst, this.options.perSecond);
    return b;
  }

  /** Throws ThrottledError (429) unless this client may try a secret now. */
  admit(client: string): void {
    const mine = this.bucket(client);
    this.refill(this.all, this.options.globalBurst, this.options.globalPerSecond);
    const short =
      mine.tokens < 1 ? (1 - mine.tokens) / this.options.perSecond : this.all.tokens < 1 ? (1 - this.all.tokens) / this.options.globalPerSecond : 0;
    if (short > 0) {
      const wait = Math.max(1, Math.ceil(short));
      throw new ThrottledError(`too many failed authentication attempts${mine.tokens < 1 ? ` from ${client}` : ''}; try again in ${wait} s`, wait);
    }
  }

  /** Count a failed attempt. */
  failed(client: string): void {
    this.bucket(client).tokens -= 1;
    this.refill(this.all, this.options.globalBurst, this.options.globalPerSecond);
    this.all.tokens -= 1;
  }
}
