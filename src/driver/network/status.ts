/**
 * The status file of a running network, RUN/networks/NAME.xml: what a later
 * driver process needs to adopt the network, stop it or update it. Shaped
 * like libvirt's <networkstatus> (after the warning header the store adds):
 *
 *   <networkstatus>
 *     <class_id bitmap='0-2'/>
 *     <floor sum='0'/>
 *     <network>
 *       ... the live def, formatted live (formatNetworkXml) ...
 *     </network>
 *     <virtnet:applied xmlns:virtnet='https://virtnet.dev/schemas/networkstatus/1'>{JSON}</virtnet:applied>
 *   </networkstatus>
 *
 * - class_id and floor are libvirt's QoS bookkeeping: the class ids the
 *   network's ports hold for their inbound floors (0-2 are libvirt's own)
 *   and the floors' sum. virtnet keeps the books (a floor needs room in the
 *   network's inbound QoS) but applies no QoS; they are written for the
 *   reader and recomputed from the ports, never read back.
 * - The live <network> is the formatter's output with every line (also
 *   the continuation lines of a multi-line <description>) indented by two
 *   spaces; reading strips exactly those two spaces back, so the def comes
 *   back byte-identical and is parsed by the ordinary parser.
 * - <virtnet:applied> holds the runtime's AppliedNetwork record (bridge,
 *   rules, dnsmasq pid, ...; opaque to the driver) as XML-escaped JSON.
 *   libvirt keeps the equivalent in <firewall> (its removal recipe) and in
 *   separate pid files.
 * - A `state` attribute on it makes the file a journal entry, written
 *   before the kernel is touched, for a change a crash may interrupt:
 *   `starting` (the record says what the start may have made), `updating`
 *   (the live def before a live net-update, with a record covering both
 *   sides). No state: the network runs as recorded. A stop's entry is the
 *   status file itself renamed to STEM.stopping (store.ts), as its record
 *   is the network's own; `state='stopping'` in a status file, as older
 *   virtnets wrote it, means the same. Start-up finishes or undoes a
 *   journalled change (startup.ts).
 */
import type { NetworkDef } from '../../conf/network/types.js';
import { formatNetworkXml } from '../../conf/network/format.js';
import { parseNetworkXml } from '../../conf/network/parse.js';
import { escapeXml } from '../../xml/escape.js';
import { internalError } from '../../util/errors.js';
import type { AppliedNetwork } from '../runtime/seam.js';

export const STATUS_NAMESPACE = 'https://virtnet.dev/schemas/networkstatus/1';

/** A change in progress, when the status file is a journal entry (see above). */
export type NetworkJournalState = 'starting' | 'stopping' | 'updating';

const JOURNAL_STATES: readonly NetworkJournalState[] = ['starting', 'stopping', 'updating'];

/** The network's floor bookkeeping (written, not read back: the ports are its source). */
interface NetworkQos {
  classIds: number[];
  floorSum: number;
}

export interface NetworkStatus {
  def: NetworkDef;
  applied: AppliedNetwork;
  /** Absent: no port holds a class id (libvirt's initial values are written). */
  qos?: NetworkQos;
  /** Absent: running. */
  state?: NetworkJournalState;
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');

/** The status document (without the warning header). */
export function formatNetworkStatus(status: NetworkStatus): string {
  const network = formatNetworkXml(status.def);
  return (
    '<networkstatus>\n' +
    `  <class_id bitmap='${bitmapText(status.qos?.classIds ?? [0, 1, 2])}'/>\n` +
    `  <floor sum='${status.qos?.floorSum ?? 0}'/>\n` +
    indent(network) +
    `  <virtnet:applied xmlns:virtnet='${STATUS_NAMESPACE}'${status.state !== undefined ? ` state='${status.state}'` : ''}>` +
    `${escapeXml(JSON.stringify(status.applied))}</virtnet:applied>\n` +
    '</networkstatus>\n'
  );
}

/** A set of small numbers as libvirt's virBitmapFormat writes it: ranges joined by commas ("0-3,5"). */
function bitmapText(values: readonly number[]): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

const ENTITY = /&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g;

function unescapeXml(text: string): string {
  return text.replace(ENTITY, (_, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
  });
}

/**
 * Read a status file's text (the warning header may be present). Throws an
 * internal error naming `file` when it is not a status file this driver
 * wrote; the live def's own parse errors come through as they are.
 */
export function parseNetworkStatus(text: string, file: string): NetworkStatus {
  const bad = (why: string): Error => internalError(`Invalid network status file '${file}': ${why}`);
  const root = text.indexOf('<networkstatus>');
  if (root < 0) throw bad("no 'networkstatus' element");
  // The live <network> starts on its own line with exactly two spaces: text
  // content never holds a raw '<', so this is the element, not data.
  const start = text.indexOf('\n  <network', root);
  const endTag = '\n  </network>\n';
  const end = text.lastIndexOf(endTag);
  if (start < 0 || end < start) throw bad("no 'network' element");
  const body = text.slice(start + 1, end + endTag.length);
  const network = body
    .split('\n')
    .map((line) => (line.startsWith('  ') ? line.slice(2) : line))
    .join('\n');
  const def = parseNetworkXml(network);

  const m = /<virtnet:applied\b([^>]*)>([^<]*)<\/virtnet:applied>/.exec(text.slice(end));
  if (m === null) throw bad("no 'virtnet:applied' element");
  const stateAttr = /\sstate='([^']*)'/.exec(m[1]!);
  const state = stateAttr?.[1];
  if (state !== undefined && !(JOURNAL_STATES as readonly string[]).includes(state)) throw bad(`unknown state '${state}'`);
  let applied: unknown;
  try {
    applied = JSON.parse(unescapeXml(m[2]!));
  } catch {
    throw bad('the applied record is not JSON');
  }
  if (typeof applied !== 'object' || applied === null || typeof (applied as { runtime?: unknown }).runtime !== 'string') {
    throw bad('the applied record names no runtime');
  }
  const status: NetworkStatus = { def, applied: applied as AppliedNetwork };
  if (state !== undefined) status.state = state as NetworkJournalState;
  return status;
}
