/**
 * vsh's parser, tokenizer and program options, and the vsh-table layout,
 * checked directly (the golden files check them through whole commands).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseGlobalArgs } from '../../src/cli/args.js';
import type { CommandDef } from '../../src/cli/command.js';
import { GROUPS } from '../../src/cli/commands/index.js';
import { parseCommands } from '../../src/cli/parse.js';
import { formatTable, encodeCell } from '../../src/cli/table.js';
import { argvTokens, stringTokens, type TokenSource } from '../../src/cli/tokens.js';

const ALL = GROUPS.flatMap((g) => g.commands);
const find = (name: string): CommandDef | undefined => ALL.find((c) => c.name === name);

function parse(source: TokenSource) {
  const errors: string[] = [];
  const cmds = parseCommands(source, { find, error: (m) => errors.push(m) });
  return {
    errors,
    cmds: cmds?.map((c) => ({ name: c.def.name, opts: c.opts.map((o) => [o.def.name, o.value]) })) ?? null,
  };
}

function words(line: string): string[] {
  const src = stringTokens(line);
  const out: string[] = [];
  for (;;) {
    const t = src.next();
    if (t.kind === 'end') return out;
    if (t.kind === 'sep') out.push(';');
    else if (t.kind === 'error') return [...out, `!${t.message}`];
    else out.push(t.text);
  }
}

describe('command-line splitting (vshCommandStringGetArg)', () => {
  it('splits on blanks and semicolons, with quotes and escapes as vsh has them', () => {
    expect(words('net-list --all')).toEqual(['net-list', '--all']);
    expect(words('a \'b c\' "d;e" f\\ g;h')).toEqual(['a', 'b c', 'd;e', 'f g', ';', 'h']);
    expect(words("'it''s'")).toEqual(['its']);
    expect(words('"a\\"b"')).toEqual(['a"b']);
    expect(words("'a\\b'")).toEqual(['a\\b']);
    expect(words('  \t a  ')).toEqual(['a']);
    expect(words('a;;b')).toEqual(['a', ';', ';', 'b']);
    expect(words('""')).toEqual(['']);
  });

  it("reports vsh's errors", () => {
    expect(words('echo "open')).toEqual(['echo', '!missing "']);
    expect(words('echo a\\')).toEqual(['echo', '!dangling \\']);
    // An unterminated single quote simply ends the word, as in vsh.
    expect(words("echo 'open")).toEqual(['echo', 'open']);
  });

  it('never loses a character of plain words (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-zA-Z0-9_./:=-]+$/), { minLength: 1, maxLength: 6 }), (ws) => {
        expect(words(ws.join(' '))).toEqual(ws);
      }),
    );
  });

  it('quotes any word so that it survives splitting (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (w) => {
        const quoted = `'${w.replace(/'/g, "'\\''")}'`;
        expect(words(`echo ${quoted}`)).toEqual(['echo', w]);
      }),
    );
  });
});

describe('option parsing (vshCommandParse)', () => {
  it('takes data options by position or by name, in either form', () => {
    const a = parse(argvTokens(['net-define', 'f.xml', '--validate']));
    const b = parse(argvTokens(['net-define', '--file', 'f.xml', '--validate']));
    const c = parse(argvTokens(['net-define', '--validate', '--file=f.xml']));
    expect(a.cmds).toEqual([
      {
        name: 'net-define',
        opts: [
          ['file', 'f.xml'],
          ['validate', undefined],
        ],
      },
    ]);
    expect(b.cmds?.[0]?.opts).toContainEqual(['file', 'f.xml']);
    expect(c.cmds?.[0]?.opts).toContainEqual(['file', 'f.xml']);
  });

  it('fills positional values in definition order, skipping those given by name', () => {
    const r = parse(argvTokens(['net-update', '--section', 'ip-dhcp-host', 'nat', 'add', '<host/>', '3']));
    expect(r.errors).toEqual([]);
    expect(r.cmds?.[0]?.opts).toEqual([
      ['section', 'ip-dhcp-host'],
      ['network', 'nat'],
      ['command', 'add'],
      ['xml', '<host/>'],
      ['parent-index', '3'],
    ]);
  });

  it('never fills a named-only option by position (--xpath)', () => {
    expect(parse(argvTokens(['net-dumpxml', 'n', '//ip'])).errors).toEqual(["unexpected data '//ip'"]);
  });

  it('treats every word after -- as data', () => {
    expect(parse(argvTokens(['net-info', '--', '--all'])).cmds?.[0]?.opts).toEqual([['network', '--all']]);
  });

  it("prints vsh's messages", () => {
    expect(parse(argvTokens(['nope'])).errors).toEqual(["unknown command: 'nope'"]);
    expect(parse(argvTokens(['net-list', '--nope'])).errors).toEqual(["command 'net-list' doesn't support option --nope"]);
    expect(parse(argvTokens(['net-list', '--all=1'])).errors).toEqual(["invalid '=' after option --all"]);
    expect(parse(argvTokens(['net-list', '--all', '--all'])).errors).toEqual(['option --all already seen']);
    expect(parse(argvTokens(['net-update', 'n', '--parent-index'])).errors).toEqual(['expected syntax: --parent-index <number>']);
    expect(parse(argvTokens(['net-update'])).errors).toEqual([
      "command 'net-update' requires <network> option",
      "command 'net-update' requires <command> option",
      "command 'net-update' requires <section> option",
      "command 'net-update' requires <xml> option",
    ]);
    expect(parse(stringTokens('net-start ; x')).errors).toEqual(["command 'net-start' requires <network> option"]);
  });

  it('turns --help into help CMD, even with required options missing', () => {
    expect(parse(argvTokens(['net-update', '--help'])).cmds).toEqual([{ name: 'help', opts: [['command', 'net-update']] }]);
  });

  it('lets help ignore unknown options and extra words', () => {
    expect(parse(argvTokens(['help', '--bogus', 'net-list', 'extra'])).cmds).toEqual([{ name: 'help', opts: [['command', 'net-list']] }]);
  });

  it('parses a whole line before anything runs: one error rejects every command', () => {
    const r = parse(stringTokens('net-list; net-start a b; net-list'));
    expect(r.cmds).toBeNull();
    expect(r.errors).toEqual(["unexpected data 'b'"]);
  });

  it('collects argv words for echo', () => {
    expect(parse(stringTokens('echo --shell a "b c"')).cmds).toEqual([
      {
        name: 'echo',
        opts: [
          ['shell', undefined],
          ['string', 'a'],
          ['string', 'b c'],
        ],
      },
    ]);
  });
});

describe('program options (getopt_long as virsh calls it)', () => {
  it('reads grouped, attached and abbreviated options and stops at the command', () => {
    const r = parseGlobalArgs(['-qrc', 'unix:///x.sock', '-t', 'net-list', '-q']);
    expect(r).toEqual({ kind: 'run', options: { readonly: true, quiet: true, timing: true, uri: 'unix:///x.sock' }, rest: ['net-list', '-q'] });
    const l = parseGlobalArgs(['--conn=unix:///y.sock', '--read', '--', 'net-list']);
    expect(l).toMatchObject({ kind: 'run', options: { uri: 'unix:///y.sock', readonly: true }, rest: ['net-list'] });
    expect(parseGlobalArgs(['-cunix:///z.sock'])).toMatchObject({ options: { uri: 'unix:///z.sock' }, rest: [] });
  });

  it("fails with virsh's messages", () => {
    expect(parseGlobalArgs(['--bogus'])).toEqual({ kind: 'exit', code: 1, errors: ["unsupported option '--bogus'. See --help."] });
    expect(parseGlobalArgs(['-z'])).toEqual({ kind: 'exit', code: 1, errors: ["unsupported option '-z'. See --help."] });
    expect(parseGlobalArgs(['-c'])).toEqual({ kind: 'exit', code: 1, errors: ["option '-c'/'--connect' requires an argument"] });
    expect(parseGlobalArgs(['--connect'])).toEqual({ kind: 'exit', code: 1, errors: ["option '-c'/'--connect' requires an argument"] });
    expect(parseGlobalArgs(['-d', 'x'])).toEqual({ kind: 'exit', code: 1, errors: ['option -d takes a numeric argument'] });
    expect(parseGlobalArgs(['-e', '^^^'])).toEqual({ kind: 'exit', code: 1, errors: ["Invalid string '^^^' for escape sequence"] });
    expect(parseGlobalArgs(['-k', '-1'])).toEqual({ kind: 'exit', code: 1, errors: ['option -k requires a positive integer argument'] });
    expect(parseGlobalArgs(['--keepalive-count=z'])).toEqual({ kind: 'exit', code: 1, errors: ['Invalid value for option --keepalive-count'] });
  });

  it('shows usage and versions', () => {
    expect(parseGlobalArgs(['-h', 'net-list'])).toMatchObject({ kind: 'exit', code: 0, show: 'usage' });
    expect(parseGlobalArgs(['--version'])).toMatchObject({ show: 'version' });
    expect(parseGlobalArgs(['--version=long'])).toMatchObject({ show: 'long-version' });
    expect(parseGlobalArgs(['-V'])).toMatchObject({ show: 'long-version' });
  });
});

describe('vsh-table layout', () => {
  it('pads every column but the last to its widest cell plus two', () => {
    expect(
      formatTable(
        ['Name', 'State'],
        [
          ['default', 'active'],
          ['x', 'inactive'],
        ],
      ),
    ).toBe(' Name      State\n---------------------\n default   active\n x         inactive\n');
  });

  it('leaves the header out in quiet mode and sizes columns on the rows alone', () => {
    expect(formatTable(['Name', 'State'], [['a', 'active']], false)).toBe(' a   active\n');
  });

  it('shows control characters as \\xNN and counts wide characters twice', () => {
    expect(encodeCell('a\tb')).toEqual({ text: 'a\\x09b', width: 6 });
    expect(encodeCell('\\xff')).toEqual({ text: '\\x5cxff', width: 7 });
    expect(encodeCell('网络')).toEqual({ text: '网络', width: 4 });
  });
});
