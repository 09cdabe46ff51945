/**
 * The host's upstream DNS servers for every dnsmasq of a runtime: one
 * servers file (STATE/dnsmasq/resolv.servers) written from the host's
 * resolv.conf, which each dnsmasq reads through `servers-file=` and re-reads
 * on SIGHUP. This replaces dnsmasq's own polling of resolv.conf, which costs
 * one inotify instance per dnsmasq and stops libvirt at 128 networks
 * (docs/network-runtime.md).
 *
 * Which resolv.conf: the one a program started by `ip netns exec NS` would
 * see, i.e. /etc/netns/NS/resolv.conf when it exists, else /etc/resolv.conf.
 * Watching it uses stat polling (fs.watchFile), not inotify, so the whole
 * runtime needs no inotify instance at all.
 */
import { readFile, stat } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import { parseResolvConf, serversFileText } from '../../plan/plan-resolv.js';
import { replaceFile } from './dnsmasq.js';

export const SERVERS_FILE_NAME = 'resolv.servers';

/** The resolv.conf for a namespace, as `ip netns exec` would bind it. */
export async function resolvConfFor(netns: string | null): Promise<string> {
  if (netns !== null) {
    const candidate = `/etc/netns/${netns}/resolv.conf`;
    if (
      await stat(candidate).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return '/etc/resolv.conf';
}

export class UpstreamServers {
  private written: string | undefined;
  private ensured: Promise<boolean> | undefined;
  private listener: (() => void) | undefined;

  constructor(
    readonly resolvConf: string,
    readonly serversFile: string,
  ) {}

  /** The servers file text for the current resolv.conf (a missing file gives no servers). */
  async current(): Promise<string> {
    const text = await readFile(this.resolvConf, 'utf8').catch(() => '');
    return serversFileText(parseResolvConf(text));
  }

  /** Rewrite the servers file if resolv.conf changed since the last write; whether it was rewritten. */
  async refresh(): Promise<boolean> {
    const text = await this.current();
    if (text === this.written) return false;
    await replaceFile(this.serversFile, text, 0o644);
    this.written = text;
    return true;
  }

  /** Make sure the file exists once (before the first dnsmasq starts). */
  ensure(): Promise<boolean> {
    this.ensured ??= this.refresh().catch((e: unknown) => {
      this.ensured = undefined;
      throw e;
    });
    return this.ensured;
  }

  /** Poll resolv.conf every `intervalMs`; call `onChange` after the servers file was rewritten. */
  watch(onChange: () => void, intervalMs = 2000): void {
    if (this.listener) return;
    this.listener = () => {
      this.refresh().then(
        (changed) => {
          if (changed) onChange();
        },
        () => {},
      );
    };
    watchFile(this.resolvConf, { interval: intervalMs, persistent: false }, this.listener);
  }

  unwatch(): void {
    if (!this.listener) return;
    unwatchFile(this.resolvConf, this.listener);
    this.listener = undefined;
  }
}
