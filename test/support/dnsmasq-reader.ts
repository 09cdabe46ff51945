/**
 * A test oracle: how dnsmasq 2.90 reads the files virtnet writes for it,
 * transcribed from its behaviour (option.c read_file and the option
 * handlers virtnet uses, cache.c read_hostsfile, util.c check_name) and
 * checked against `dnsmasq --test`. Tests read generated files back with it
 * to see the directives and entries dnsmasq would hold.
 *
 * Text is handled as bytes, as dnsmasq does. Characters inside quotes are
 * "hidden" (mapped to control bytes) until a handler restores them, which is
 * what keeps a quoted ',' from separating fields.
 */

/** fgets(buff, 1025, f): at most 1024 bytes per read. */
const READ_MAX = 1024;

/** dnsmasq's table of characters hidden inside quotes: a character maps to its index. */
const META = Buffer.from('\x00123456 \b\t\n78\r90abcdefABCDE\x1bF:,.', 'latin1');

const hide = (c: number): number => {
  const i = META.indexOf(c);
  return i >= 0 ? i : c;
};
const unhideByte = (c: number): number => (c < META.length ? META[c]! : c);
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/** Bytes of an argument as the reader left them (quoted parts hidden). */
export type Hidden = number[];

export interface Directive {
  /** Option name as written before '='. */
  option: string;
  /** The argument with quoted characters still hidden; undefined without '='. */
  arg: Hidden | undefined;
  /** 1-based line number as dnsmasq counts lines (one per fgets). */
  line: number;
}

export interface ReadResult {
  directives: Directive[];
  /** dnsmasq's complaint ("missing \"") at a line, if any. */
  error?: string;
}

/** Restore hidden characters (unhide_metas) and decode as UTF-8. */
export function unhide(bytes: Hidden): string {
  return Buffer.from(bytes.map(unhideByte)).toString('utf8');
}

/** One fgets read after another: a line longer than 1024 bytes goes on as a new line. */
function fgetsLines(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    let end = at;
    while (end < data.length && end - at < READ_MAX) {
      end++;
      if (data[end - 1] === 0x0a) break;
    }
    out.push(data.subarray(at, end));
    at = end;
  }
  return out;
}

/**
 * One line as read_file prepares it: quotes removed with their escapes
 * applied and their contents hidden, white space turned into spaces, a '#'
 * after white space (or at the start) ending the line. Undefined for a
 * missing closing quote.
 */
function prepareLine(raw: Buffer): Hidden | undefined {
  const out: Hidden = [];
  let white = true;
  let i = 0;
  while (i < raw.length) {
    let c = raw[i]!;
    if (c === 0x22) {
      i++;
      for (;;) {
        if (i >= raw.length) return undefined;
        c = raw[i]!;
        if (c === 0x22) break;
        if (c === 0x5c && i + 1 < raw.length && '"tnebr\\'.includes(String.fromCharCode(raw[i + 1]!))) {
          const e = String.fromCharCode(raw[i + 1]!);
          c = e === 't' ? 9 : e === 'n' ? 10 : e === 'b' ? 8 : e === 'r' ? 13 : e === 'e' ? 0x1b : raw[i + 1]!;
          i++;
        }
        out.push(hide(c));
        i++;
      }
      i++;
      continue;
    }
    if (isSpace(c)) {
      out.push(0x20);
      white = true;
    } else {
      if (white && c === 0x23) break;
      out.push(c);
      white = false;
    }
    i++;
  }
  return out;
}

/**
 * Read a conf file (or, with `wholeLineOption`, a file of lines that are all
 * arguments of one option, such as the dhcp-hostsfile).
 */
export function readDnsmasqConf(text: string | Buffer, wholeLineOption?: string): ReadResult {
  const directives: Directive[] = [];
  const lines = fgetsLines(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'));
  for (let n = 0; n < lines.length; n++) {
    const buf = prepareLine(lines[n]!);
    if (buf === undefined) return { directives, error: `missing " at line ${n + 1}` };
    let start = 0;
    while (start < buf.length && buf[start] === 0x20) start++;
    let end = buf.length;
    while (end > start && buf[end - 1] === 0x20) end--;
    if (end === start) continue;
    const body = buf.slice(start, end);
    if (wholeLineOption !== undefined) {
      directives.push({ option: wholeLineOption, arg: body, line: n + 1 });
      continue;
    }
    const eq = body.indexOf(0x3d);
    if (eq < 0) {
      directives.push({ option: Buffer.from(body).toString('latin1'), arg: undefined, line: n + 1 });
      continue;
    }
    let nameEnd = eq;
    while (nameEnd > 0 && (body[nameEnd - 1] === 0x20 || body[nameEnd - 1] === 0x3d)) nameEnd--;
    let argStart = eq + 1;
    while (argStart < body.length && body[argStart] === 0x20) argStart++;
    directives.push({ option: Buffer.from(body.slice(0, nameEnd)).toString('latin1'), arg: body.slice(argStart), line: n + 1 });
  }
  return { directives };
}

/** split_chr: the field before the first raw `sep` and the rest, white space around the separator dropped. */
export function splitField(s: Hidden, sep = ','): [Hidden, Hidden | undefined] {
  const at = s.indexOf(sep.charCodeAt(0));
  if (at < 0) return [s, undefined];
  let head = at;
  while (head > 0 && isSpace(s[head - 1]!)) head--;
  let rest = at + 1;
  while (rest < s.length && isSpace(s[rest]!)) rest++;
  return [s.slice(0, head), s.slice(rest)];
}

/** All comma-separated fields. */
export function fields(s: Hidden): Hidden[] {
  const out: Hidden[] = [];
  let rest: Hidden | undefined = s;
  while (rest !== undefined) {
    const [head, tail] = splitField(rest);
    out.push(head);
    rest = tail;
  }
  return out;
}

/**
 * check_name + canonicalise for ASCII names: undefined if dnsmasq refuses the
 * name, else the name it holds (one trailing dot dropped; a name with capitals
 * goes through IDN, which lowercases it).
 */
export function canonicalName(text: string): string | undefined {
  if (text === '' || Buffer.byteLength(text) > 1025) return undefined;
  let name = text.endsWith('.') ? text.slice(0, -1) : text;
  let label = 0;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (ch === '.') label = 0;
    else if (++label > 63) return undefined;
    else if (c < 0x20 || c === 0x7f || c > 0x7e) return undefined;
  }
  if (name.trim() === '' && !text.endsWith('.')) return undefined;
  if (/[A-Z]/.test(name)) name = name.toLowerCase();
  return name;
}

/** txt-record=NAME,STRING[,STRING...]: the name and the character-strings (split at raw commas and every 255 bytes). */
export function txtRecord(arg: Hidden): { name: string | undefined; strings: string[] } {
  const [nameBytes, value] = splitField(arg);
  const strings: string[] = [];
  let cur: number[] = [];
  if (value !== undefined) {
    for (const c of value) {
      if (c === 0x2c || cur.length === 255) {
        strings.push(Buffer.from(cur).toString('utf8'));
        cur = [];
        if (c === 0x2c) continue;
      }
      cur.push(unhideByte(c));
    }
  }
  strings.push(Buffer.from(cur).toString('utf8'));
  return { name: canonicalName(unhide(nameBytes)), strings };
}

/** srv-host=NAME[,TARGET[,PORT[,PRIORITY[,WEIGHT]]]]. */
export function srvHost(arg: Hidden): { name: string | undefined; target?: string | undefined; numbers: string[] } {
  const f = fields(arg);
  const out: { name: string | undefined; target?: string | undefined; numbers: string[] } = {
    name: canonicalName(unhide(f[0]!)),
    numbers: f.slice(2).map(unhide),
  };
  if (f.length > 1) out.target = canonicalName(unhide(f[1]!));
  return out;
}

/** server=/D1/D2/ADDR and local=/D/: the domains and what follows them (metas restored first, then split at '/'). */
export function serverArg(arg: Hidden): { domains: string[]; rest: string } {
  const text = unhide(arg);
  if (!text.startsWith('/')) return { domains: [], rest: text };
  const parts = text
    .slice(1)
    .split('/')
    .map((p) => p.trim());
  const rest = parts.pop() ?? '';
  return { domains: parts, rest };
}

/** The plain-text value of an option that takes one string (pid-file, tftp-root without an interface, ...). */
export function stringArg(arg: Hidden | undefined): string | undefined {
  if (arg === undefined || arg.length === 0) return undefined;
  return unhide(arg);
}

/** dhcp-boot=[tag:T,]FILE[,SNAME[,SERVER]]. */
export function dhcpBoot(arg: Hidden): { tags: string[]; file: string | undefined; sname: string | undefined; server: string | undefined } {
  const f = fields(arg);
  const tags: string[] = [];
  while (f.length > 0 && /^(net|tag):/.test(Buffer.from(f[0]!).toString('latin1'))) tags.push(unhide(f.shift()!));
  return { tags, file: stringArg(f[0]), sname: stringArg(f[1]), server: stringArg(f[2]) };
}

export type HostField =
  | { kind: 'id'; value: string }
  | { kind: 'tag'; value: string }
  | { kind: 'ipv6'; value: string }
  | { kind: 'mac'; value: string }
  | { kind: 'ipv4'; value: string }
  | { kind: 'lease'; value: string }
  | { kind: 'ignore' }
  | { kind: 'name'; value: string | undefined };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** One dhcp-host line's fields, classified as dnsmasq's --dhcp-host handler classifies them. */
export function dhcpHostFields(arg: Hidden): HostField[] {
  return fields(arg).map((raw): HostField => {
    const text = Buffer.from(raw).toString('latin1');
    if (text.includes(':')) {
      if (/^id:/i.test(text)) return { kind: 'id', value: unhide(raw.slice(3)) };
      if (/^(net|set|tag):/.test(text)) return { kind: 'tag', value: unhide(raw) };
      if (text.startsWith('[') && text.endsWith(']')) return { kind: 'ipv6', value: text.slice(1, -1) };
      return { kind: 'mac', value: text };
    }
    if (text.includes('.') && IPV4.test(text)) return { kind: 'ipv4', value: text };
    const body = text.length > 1 && /[wWdDhHmMsS]$/.test(text) ? text.slice(0, -1) : text;
    if (/^[\d ]*$/.test(body) && /\d/.test(body)) return { kind: 'lease', value: text };
    if (text === 'infinite') return { kind: 'lease', value: text };
    if (text === 'ignore') return { kind: 'ignore' };
    const name = canonicalName(unhide(raw));
    const legal = name !== undefined && /^[A-Za-z0-9][A-Za-z0-9_-]*(\.|$)/.test(unhide(raw));
    return { kind: 'name', value: legal ? name : undefined };
  });
}

/** The addn-hosts file as read_hostsfile reads it: white space separates tokens, '#' starts a comment anywhere. */
export function readHostsFile(text: string): { address: string; names: string[] }[] {
  const entries: { address: string; names: string[] }[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.split('#')[0]!;
    const tokens = line.split(/[ \t\r\v\f]+/).filter((t) => t !== '');
    if (tokens.length === 0) continue;
    entries.push({ address: tokens[0]!, names: tokens.slice(1) });
  }
  return entries;
}
