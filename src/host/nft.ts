/**
 * nftables in the bound namespace, through `nft -j`. Changes go in as one JSON
 * batch (`nft -j -f FILE`), which the kernel applies as a single
 * transaction: if any command fails, nothing of the batch is applied
 * (verified by test/e2e/host-nft.test.ts). With `echo`, nft prints the added
 * objects back with their handles (`-e -a`), so rules can be deleted later.
 *
 * The batch is handed over in a private temporary file, not on stdin: nft
 * opens "/dev/stdin" by path, which fails with ENXIO when stdin is a socket —
 * and Node connects a child's stdio through sockets. A command-line argument
 * would hit the kernel's 128 KiB limit per argument on big rule sets.
 *
 * Only JSON is spoken here; typed builders for our own table belong to the
 * planner. Family and table names given on the command line are checked,
 * because nft joins its arguments into one command text before parsing.
 */
import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirError } from '../util/errors.js';
import { commandError } from './errors.js';
import { type NetnsBinding, inNetnsArgv } from './netns.js';
import type { CommandRunner } from './runner.js';
import { MonitorProcess } from './monitor-process.js';
import { NftMonitorParser, type NftTransaction } from './nft-monitor.js';

/** One nftables JSON object or command, e.g. `{ add: { table: { family: 'inet', name: 'virtnet' } } }`. */
export type NftObject = Record<string, unknown>;

export type NftFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

export interface NftTableRef {
  family: NftFamily;
  name: string;
}

export interface Nftables {
  /** Apply commands atomically. With echo, returns the added objects with their handles. */
  apply(commands: readonly NftObject[], opts?: { echo?: boolean }): Promise<NftObject[]>;
  /** `nft -c`: whether the kernel would take these commands, changing nothing: 'ok', or nft's error. */
  check?(commands: readonly NftObject[]): Promise<string>;
  /** The objects of one table (table, chains, rules, sets, maps…), or undefined if it does not exist. */
  listTable(family: NftFamily, name: string): Promise<NftObject[] | undefined>;
  tableExists(family: NftFamily, name: string): Promise<boolean>;
  listTables(): Promise<NftTableRef[]>;
  /** The whole ruleset as JSON objects (metainfo left out). */
  listRuleset(): Promise<NftObject[]>;
  /**
   * Watch a table for transactions this Nftables did not make (nft monitor
   * in the bound namespace): `changed` is called after each such
   * transaction that touched the table, and after the watch was down for a
   * while (transactions may have been missed). Absent where nobody else can
   * change the table (test doubles).
   */
  watchTable?(family: NftFamily, name: string, changed: (why: 'foreign' | 'gap') => void): TableWatch;
}

export interface TableWatch {
  /** Stop watching; resolves once nothing of the watch runs any more. */
  close(): Promise<void>;
}

/** How many of our own recent nft processes are remembered, to tell our transactions from others'. */
const OWN_PIDS = 256;

const FAMILIES: readonly string[] = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,255}$/;

function checkTable(family: string, name: string): void {
  if (!FAMILIES.includes(family)) throw new VirError('INTERNAL_ERROR', `invalid nftables family '${family}'`);
  if (!TABLE_NAME.test(name)) throw new VirError('INTERNAL_ERROR', `invalid nftables table name '${name}'`);
}

/** The objects of an `nft -j` output, without the metainfo entry. */
export function parseNftOutput(text: string): NftObject[] {
  if (text.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new VirError('INTERNAL_ERROR', `cannot parse nft output: ${(e as Error).message}`);
  }
  const list = (value as { nftables?: unknown }).nftables;
  if (!Array.isArray(list)) throw new VirError('INTERNAL_ERROR', 'cannot parse nft output: no nftables array');
  return list.filter((o): o is NftObject => typeof o === 'object' && o !== null && !('metainfo' in o));
}

export class LinuxNftables implements Nftables {
  /** Pids of our recent `nft -f` processes (their transactions are ours). */
  private readonly ownPids: number[] = [];
  /** Our transactions still running: a foreign-looking one seen meanwhile may be one of them. */
  private inFlight = 0;
  private readonly undecided: (() => void)[] = [];

  constructor(
    private readonly runner: CommandRunner,
    private readonly netns: NetnsBinding,
  ) {}

  private rememberOwn(pid: number | undefined): void {
    if (pid === undefined) return;
    this.ownPids.push(pid);
    if (this.ownPids.length > OWN_PIDS) this.ownPids.splice(0, this.ownPids.length - OWN_PIDS);
  }

  /** Decide once none of our own transactions is running (by then each one's pid is known). */
  private whenSettled(decide: () => void): void {
    if (this.inFlight === 0) decide();
    else this.undecided.push(decide);
  }

  watchTable(family: NftFamily, name: string, changed: (why: 'foreign' | 'gap') => void): TableWatch {
    checkTable(family, name);
    const key = `${family} ${name}`;
    const onTransaction = (t: NftTransaction): void => {
      if (!t.tables.has(key)) return;
      this.whenSettled(() => {
        if (!this.ownPids.includes(t.pid)) changed('foreign');
      });
    };
    const monitor = new MonitorProcess({
      // setpriv --pdeathsig: the monitor ends with the process that started it, even one killed with SIGKILL.
      argv: inNetnsArgv(this.netns, ['setpriv', '--pdeathsig', 'TERM', 'nft', 'monitor']),
      what: 'nft monitor',
      reader: () => {
        const parser = new NftMonitorParser(onTransaction);
        return (chunk) => parser.push(chunk);
      },
      onGap: () => changed('gap'),
    });
    monitor.start();
    return { close: () => monitor.stop() };
  }

  private argv(args: string[]): string[] {
    return inNetnsArgv(this.netns, ['nft', ...args]);
  }

  async apply(commands: readonly NftObject[], opts: { echo?: boolean } = {}): Promise<NftObject[]> {
    if (commands.length === 0) return [];
    const text = JSON.stringify({ nftables: commands });
    const file = join(tmpdir(), `vnt-nft-${randomBytes(8).toString('hex')}.json`);
    await writeFile(file, text, { mode: 0o600, flag: 'wx' });
    this.inFlight++;
    try {
      const args = opts.echo ? ['-e', '-a', '-j', '-f', file] : ['-j', '-f', file];
      const result = await this.runner.run({ argv: this.argv(args), logInput: text });
      this.rememberOwn(result.pid);
      if (result.exitCode !== 0) throw commandError('Failed to apply nftables rules', result, 'INTERNAL_ERROR');
      return opts.echo ? parseNftOutput(result.stdout) : [];
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const decide of this.undecided.splice(0)) decide();
      await unlink(file).catch(() => {});
    }
  }

  async check(commands: readonly NftObject[]): Promise<string> {
    if (commands.length === 0) return 'ok';
    const text = JSON.stringify({ nftables: commands });
    const file = join(tmpdir(), `vnt-nft-${randomBytes(8).toString('hex')}.json`);
    await writeFile(file, text, { mode: 0o600, flag: 'wx' });
    try {
      const result = await this.runner.run({ argv: this.argv(['-c', '-j', '-f', file]), logInput: text });
      return result.exitCode === 0 ? 'ok' : result.stderr.trim() || `nft exited with status ${result.exitCode}`;
    } finally {
      await unlink(file).catch(() => {});
    }
  }

  async listTable(family: NftFamily, name: string): Promise<NftObject[] | undefined> {
    checkTable(family, name);
    const result = await this.runner.run({ argv: this.argv(['-j', 'list', 'table', family, name]) });
    if (result.exitCode !== 0) {
      if (/No such file or directory/.test(result.stderr)) return undefined;
      throw commandError(`Unable to list nftables table ${family} ${name}`, result, 'INTERNAL_ERROR');
    }
    return parseNftOutput(result.stdout);
  }

  async listTables(): Promise<NftTableRef[]> {
    const result = await this.runner.run({ argv: this.argv(['-j', 'list', 'tables']) });
    if (result.exitCode !== 0) throw commandError('Unable to list nftables tables', result, 'INTERNAL_ERROR');
    return parseNftOutput(result.stdout).flatMap((o) => {
      const t = o.table as { family?: unknown; name?: unknown } | undefined;
      return t && typeof t.family === 'string' && typeof t.name === 'string' ? [{ family: t.family as NftFamily, name: t.name }] : [];
    });
  }

  async tableExists(family: NftFamily, name: string): Promise<boolean> {
    checkTable(family, name);
    return (await this.listTables()).some((t) => t.family === family && t.name === name);
  }

  async listRuleset(): Promise<NftObject[]> {
    const result = await this.runner.run({ argv: this.argv(['-j', 'list', 'ruleset']) });
    if (result.exitCode !== 0) throw commandError('Unable to list the nftables ruleset', result, 'INTERNAL_ERROR');
    return parseNftOutput(result.stdout);
  }
}
