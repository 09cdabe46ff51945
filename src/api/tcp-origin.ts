/**
 * Who the TCP listener is, as a browser sees it: the Host header values it
 * answers to and the origins a console page it served can have. Computed
 * from the configured listen address, never from the request:
 *
 * - a loopback listener answers to its own address and to `localhost`
 *   (and `[::1]` for ::1), with its port;
 * - a listener on a specific address answers to that address;
 * - with TLS, also to every name and address in the certificate's
 *   subjectAltName (a browser accepts the certificate for no other name);
 * - a wildcard listener (0.0.0.0, ::) answers only to the certificate's
 *   names.
 *
 * The Host check stops DNS rebinding (a page of evil.example whose name
 * now resolves to 127.0.0.1 talks to the daemon with Host: evil.example);
 * the Origin check stops a change requested by a page of any other origin,
 * whatever Host the request carries.
 */
import { X509Certificate } from 'node:crypto';

export interface ListenerAddress {
  host: string;
  /** The port bound (known once the listener listens: 0 until then). */
  port: number;
  /** Whether the listener speaks TLS (https). */
  tls: boolean;
}

const LOOPBACK4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || LOOPBACK4.test(host);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** host as it appears in a URL authority: IPv6 in brackets, lower case. */
function authorityHost(host: string): string {
  return (host.includes(':') ? `[${host}]` : host).toLowerCase();
}

/** The DNS names and IP addresses in a PEM certificate's subjectAltName. */
export function certificateNames(pem: string | Buffer): string[] {
  const san = new X509Certificate(pem).subjectAltName ?? '';
  return san
    .split(/,\s*/)
    .map((entry) => /^(?:DNS|IP Address):(.+)$/.exec(entry.trim())?.[1])
    .filter((name): name is string => name !== undefined && !name.startsWith('*'));
}

export class TcpIdentity {
  private readonly names: string[];

  constructor(
    readonly address: ListenerAddress,
    certificateHostNames: readonly string[] = [],
  ) {
    const names = new Set<string>();
    const host = address.host;
    if (!isWildcard(host)) names.add(authorityHost(host));
    if (isLoopback(host)) {
      names.add('localhost');
      if (host === '::1') names.add('[::1]');
      else names.add('127.0.0.1');
    }
    for (const n of certificateHostNames) names.add(authorityHost(n));
    this.names = [...names];
  }

  get scheme(): 'http' | 'https' {
    return this.address.tls ? 'https' : 'http';
  }

  /** The Host header values this listener answers to (with its port, and without it on the scheme's default port). */
  hosts(): string[] {
    const port = this.address.port;
    const standard = port === (this.address.tls ? 443 : 80);
    return this.names.flatMap((n) => (standard ? [`${n}:${port}`, n] : [`${n}:${port}`]));
  }

  /** Whether a Host header names this listener. */
  allowsHost(host: string | undefined): boolean {
    return host !== undefined && this.hosts().includes(host.toLowerCase());
  }

  /** The origins of pages this listener serves: scheme://host[:port]. */
  origins(): string[] {
    return this.hosts().map((h) => `${this.scheme}://${h}`);
  }

  /** Whether an Origin header is one of this listener's own. */
  allowsOrigin(origin: string): boolean {
    return this.origins().includes(origin.toLowerCase());
  }
}
