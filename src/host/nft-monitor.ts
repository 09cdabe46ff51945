/**
 * `nft monitor`'s output, read line by line: every committed nftables
 * transaction, with the process that made it. nft prints each changed
 * object as one line ("delete table inet virtnet", "add rule inet virtnet
 * forward …") and ends a transaction with "# new generation N by process
 * PID (COMM)". The process itself is run by ./monitor-process.ts.
 */
import { LineBuffer } from './monitor-process.js';

export interface NftTransaction {
  generation: number;
  /** The process that committed it (0 when nft did not say). */
  pid: number;
  comm: string;
  /** "FAMILY NAME" of every table an object of the transaction belongs to. */
  tables: Set<string>;
}

const OBJECT_LINE = /^(?:add|delete|destroy|replace|insert|flush|reset|update|create) \w+ (ip|ip6|inet|arp|bridge|netdev) ([^\s{]+)/;
const GENERATION_LINE = /^# new generation (\d+) by process (\d+) \(([^)]*)\)/;

/** Reads nft monitor's text, a chunk at a time, into transactions. */
export class NftMonitorParser {
  private readonly lines = new LineBuffer((line) => this.read(line));
  private tables = new Set<string>();

  constructor(private readonly onTransaction: (t: NftTransaction) => void) {}

  push(chunk: string): void {
    this.lines.push(chunk);
  }

  private read(line: string): void {
    const gen = GENERATION_LINE.exec(line);
    if (gen) {
      const t: NftTransaction = { generation: Number(gen[1]), pid: Number(gen[2]), comm: gen[3] ?? '', tables: this.tables };
      this.tables = new Set();
      this.onTransaction(t);
      return;
    }
    const obj = OBJECT_LINE.exec(line);
    if (obj) this.tables.add(`${obj[1]} ${obj[2]}`);
  }
}
