/**
 * How dnsmasq 2.90 reads the values virtnet writes into its files, so that
 * each reaches dnsmasq as itself or is refused. The rules (read from
 * dnsmasq's option.c, cache.c and util.c, checked with `dnsmasq --test`) are
 * listed in docs/network-runtime.md, "Values in dnsmasq's files". The
 * parser's checks (parse-*.ts) and the planner (src/plan/dnsmasq*.ts) both
 * use this module.
 */
import { internalError } from '../../util/errors.js';

/** dnsmasq reads its conf and dhcp-hostsfile with fgets into 1025 bytes: a longer line goes on as a new line. */
export const DNSMASQ_LINE_MAX = 1024;

/** The length of a line in the bytes dnsmasq counts. */
export function lineBytes(line: string): number {
  return Buffer.byteLength(line, 'utf8');
}

/** Whether dnsmasq reads `line` (without its newline) as one line. */
export function isOneDnsmasqLine(line: string): boolean {
  return !line.includes('\n') && lineBytes(line) <= DNSMASQ_LINE_MAX;
}

/** Escapes dnsmasq knows inside a quoted part ("\n", "\t", "\r", "\b", "\e", "\"", "\\"). */
const QUOTED_ESCAPES: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b', '\x1b': '\\e', '"': '\\"', '\\': '\\\\' };

/** Control characters dnsmasq cannot hold at all: it maps them to other characters ("unhide_meta"). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are what is refused
const UNREADABLE = /[\u0000-\u0007\u000b\u000c\u000e-\u001a\u001c-\u001f]/;

interface FieldContext {
  /**
   * Characters that separate fields of this option (',' for most). A quoted
   * one is read as part of the value. Leave ',' out where a raw comma is
   * wanted (a TXT value's strings).
   */
  separators: string;
  /** The field follows a separator: dnsmasq drops the tabs, newlines and carriage returns it starts with, even quoted ones. */
  afterSplit?: boolean;
  /** A separator follows the field: the same for the ones it ends with. */
  beforeSplit?: boolean;
  /** dnsmasq reads a leading `tag:` or `net:` here as a tag (dhcp-boot): quote its ':' so it reads a value. */
  tagPrefix?: boolean;
}

/** Whether `text` can be written as this field so that dnsmasq reads it back exactly: undefined if so, else why not. */
export function fieldProblem(text: string, ctx: FieldContext): string | undefined {
  if (UNREADABLE.test(text)) return 'a control character';
  if (ctx.afterSplit && /^[\t\n\r]/.test(text)) return 'a leading tab, newline or carriage return';
  if (ctx.beforeSplit && /[\t\n\r]$/.test(text)) return 'a trailing tab, newline or carriage return';
  return undefined;
}

/**
 * `text` as one field of a dnsmasq option: unchanged where dnsmasq reads it
 * as it stands (so libvirt's lines stay byte for byte), else with the
 * characters it would read differently quoted: separators, `"`, tabs,
 * newlines and carriage returns, spaces at either end of the field (it
 * strips them), and a `#` after a space (it starts a comment).
 */
export function dnsmasqField(text: string, ctx: FieldContext): string {
  const problem = fieldProblem(text, ctx);
  if (problem !== undefined) throw internalError(`dnsmasq cannot read a value holding ${problem}: ${JSON.stringify(text)}`);
  const chars = [...text];
  let lead = 0;
  while (lead < chars.length && chars[lead] === ' ') lead++;
  let trail = chars.length;
  while (trail > lead && chars[trail - 1] === ' ') trail--;
  let out = '';
  let quoted = '';
  // dnsmasq's reader starts a comment at a '#' whose last unquoted character before it is a space.
  let afterSpace = false;
  chars.forEach((c, i) => {
    const quote =
      ctx.separators.includes(c) ||
      (c in QUOTED_ESCAPES && c !== '\\') ||
      (c === ' ' && (i < lead || i >= trail)) ||
      (c === '#' && afterSpace) ||
      (i === 3 && ctx.tagPrefix === true && /^(net|tag):/.test(text));
    if (quote) {
      quoted += QUOTED_ESCAPES[c] ?? c;
      return;
    }
    if (quoted !== '') out += `"${quoted}"`;
    quoted = '';
    out += c;
    afterSpace = c === ' ';
  });
  if (quoted !== '') out += `"${quoted}"`;
  return out;
}

/**
 * A DNS name as dnsmasq holds it (check_name, canonicalise): printable ASCII
 * without spaces, labels of 1 to 63 bytes, at most 253 bytes, one trailing
 * dot allowed. Non-ASCII names would be converted (IDN) rather than kept.
 */
export function isDnsName(name: string): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare === '' || bare.length > 253) return false;
  if (!/^[\x21-\x7e]+$/.test(bare)) return false;
  return bare.split('.').every((label) => label.length >= 1 && label.length <= 63);
}

/**
 * A domain as `server=/D/` and `local=/D/` read it: a DNS name without '/'
 * (the separator there), not "#" (all domains) and not starting with '*'
 * (a wildcard).
 */
export function isDnsmasqDomain(name: string): boolean {
  return isDnsName(name) && !name.includes('/') && name !== '#' && !name.startsWith('*');
}

/** A name in the addn-hosts file: a DNS name without '#' (which starts a comment there). */
export function isHostsFileName(name: string): boolean {
  return isDnsName(name) && !name.includes('#');
}

/**
 * A host name in a dhcp-hostsfile line as dnsmasq takes it for a name
 * (legal_hostname): the first label of letters, digits, '-' and '_' starting
 * with a letter or digit; no ',' '"' ':' (separator, quote, MAC); not a lease
 * time ("30", "12h"), "infinite", "ignore" or an IPv4 address.
 */
export function isDhcpHostName(name: string): boolean {
  if (!isDnsName(name) || /[,":]/.test(name)) return false;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*(\.|$)/.test(name)) return false;
  if (/^[0-9]+[wWdDhHmMsS]?$/.test(name) || name === 'infinite' || name === 'ignore') return false;
  return !/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(name);
}

/** `txt-record=NAME,VALUE`: the value's commas stay raw, so they separate its strings, as in libvirt. */
export function txtRecordLine(name: string, value: string): string {
  return `txt-record=${dnsmasqField(name, { separators: ',', beforeSplit: true })},${dnsmasqField(value, { separators: '', afterSplit: true })}`;
}

/** `tftp-root=PATH`: a quoted ',' keeps the path from being read as PATH,INTERFACE. */
export function tftpRootLine(root: string): string {
  return `tftp-root=${dnsmasqField(root, { separators: ',' })}`;
}

/** dnsmasq copies a boot file name into the DHCP header's 128-byte `file` field, cutting what does not fit. */
export const BOOT_FILE_MAX = 127;
