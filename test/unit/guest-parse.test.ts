/**
 * The guest XML parser: every parse error (text, class, and which check
 * wins when several apply), and what the model holds for valid input.
 *
 * The texts are libvirt 9.0's. When `virsh` is installed, each case is also
 * defined through libvirt's own domain parser (`virsh -c test:///default
 * define`, the in-process test driver: no daemon, nothing persists) with
 * the domain type set to 'test', and libvirt's message must be ours. Cases
 * marked `oracle: null` are virtnet's own rules (libvirt accepts them).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGuestXml } from '../../src/conf/guest/parse.js';
import { formatGuestXml } from '../../src/conf/guest/format.js';
import { VirError } from '../../src/util/errors.js';

const UUID = 'c7a5fdbd-edaf-9455-926a-d65c16db1809';

/** A netns guest named g1 with the given <devices> content and extra root content. */
function guest(devices: string, rest = '', name = 'g1'): string {
  return `<domain type='netns'><name>${name}</name>${rest}<devices>${devices}</devices></domain>`;
}
const net = (inner: string, attrs = ''): string => `<interface type='network'${attrs}>${inner}</interface>`;
const SRC = "<source network='default'/>";
/** Guest g1 with one network interface on 'default' holding `inner` after its source. */
const sourcedGuest = (inner: string): string => guest(net(`${SRC}${inner}`));

interface ErrorCase {
  check: string;
  xml: string;
  /** VirError.message: class prefix + text. */
  message: string;
  errorClass: string;
  /** Read as live XML (status file) instead of a definition. */
  live?: boolean;
  /** null: libvirt accepts it (a virtnet rule). */
  oracle?: null;
}

const CASES: ErrorCase[] = [
  // the document
  {
    check: 'malformed XML',
    xml: "<domain type='netns'>\n  <name>a</nam>\n</domain>\n",
    message: '(domain_definition):2: Opening and ending tag mismatch: name line 2 and nam\n  <name>a</nam>\n---------------^',
    errorClass: 'XML_DETAIL',
  },
  { check: 'empty document', xml: '', message: '(domain_definition):1: Document is empty\n(null)\n^', errorClass: 'XML_DETAIL' },
  {
    check: 'root element',
    xml: '<network><name>n</name></network>',
    message: "XML error: expecting root element of 'domain', not 'network'",
    errorClass: 'XML_ERROR',
  },
  { check: 'name missing', xml: "<domain type='netns'><devices/></domain>", message: 'missing name information', errorClass: 'XML_DETAIL' },
  { check: 'name empty', xml: guest('', '', ''), message: 'missing name information', errorClass: 'XML_DETAIL' },
  { check: 'name before uuid', xml: "<domain type='netns'><uuid>zz</uuid></domain>", message: 'missing name information', errorClass: 'XML_DETAIL' },
  {
    check: 'malformed uuid',
    xml: guest('', '<uuid>c7a5fdbd-edaf</uuid>'),
    message: 'internal error: malformed uuid element',
    errorClass: 'INTERNAL_ERROR',
  },
  {
    check: 'uuid before type',
    xml: '<domain><name>a</name><uuid>zz</uuid></domain>',
    message: 'internal error: malformed uuid element',
    errorClass: 'INTERNAL_ERROR',
  },
  {
    check: 'type missing',
    xml: '<domain><name>a</name></domain>',
    message: 'internal error: missing domain type attribute',
    errorClass: 'INTERNAL_ERROR',
  },
  {
    check: 'type empty',
    xml: "<domain type=''><name>a</name></domain>",
    message: 'internal error: missing domain type attribute',
    errorClass: 'INTERNAL_ERROR',
  },
  {
    check: 'type unknown',
    xml: "<domain type='foo'><name>a</name></domain>",
    message: 'unsupported configuration: invalid domain type foo',
    errorClass: 'CONFIG_UNSUPPORTED',
  },
  {
    check: 'type of another hypervisor',
    xml: "<domain type='kvm'><name>a</name></domain>",
    message: 'unsupported configuration: invalid domain type kvm',
    errorClass: 'CONFIG_UNSUPPORTED',
    oracle: null,
  },
  {
    check: 'type before title',
    xml: "<domain type='foo'><name>a</name><title>a\nb</title></domain>",
    message: 'unsupported configuration: invalid domain type foo',
    errorClass: 'CONFIG_UNSUPPORTED',
  },
  {
    check: 'title with newline',
    xml: guest('', '<title>a\nb</title>'),
    message: "XML error: Domain title can't contain newlines",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'title before interfaces',
    xml: guest(net("<mac address='zz'/>"), '<title>a\nb</title>'),
    message: "XML error: Domain title can't contain newlines",
    errorClass: 'XML_ERROR',
  },

  // an interface
  {
    check: 'interface type unknown',
    xml: guest("<interface type='foo'/>"),
    message: "XML error: Invalid value for attribute 'type' in element 'interface': 'foo'.",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'interface type not connected',
    xml: guest("<interface type='user'/>"),
    message: "unsupported configuration: Unsupported net type 'user'",
    errorClass: 'CONFIG_UNSUPPORTED',
    oracle: null,
  },
  {
    check: 'interface type absent (user)',
    xml: guest('<interface/>'),
    message: "unsupported configuration: Unsupported net type 'user'",
    errorClass: 'CONFIG_UNSUPPORTED',
    oracle: null,
  },
  {
    check: 'trustGuestRxFilters',
    xml: guest(net(SRC, " trustGuestRxFilters='x'")),
    message: "XML error: Invalid value for attribute 'trustGuestRxFilters' in element 'interface': 'x'.",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'model characters',
    xml: sourcedGuest("<model type='a b'/>"),
    message: 'invalid argument: Model name contains invalid characters',
    errorClass: 'INVALID_ARG',
  },
  {
    check: 'model characters (dot)',
    xml: sourcedGuest("<model type='a.b'/>"),
    message: 'invalid argument: Model name contains invalid characters',
    errorClass: 'INVALID_ARG',
  },
  {
    check: 'model before source',
    xml: guest(net("<model type='a b'/>")),
    message: 'invalid argument: Model name contains invalid characters',
    errorClass: 'INVALID_ARG',
  },
  {
    check: 'source missing (network)',
    xml: guest(net('')),
    message: "XML error: interface type='network' requires a 'source' element",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'source missing (bridge)',
    xml: guest("<interface type='bridge'/>"),
    message: "XML error: interface type='bridge' requires a 'source' element",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'source network attribute',
    xml: guest(net('<source/>')),
    message: "XML error: Missing required attribute 'network' in element 'source'",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'source bridge attribute',
    xml: guest("<interface type='bridge'><source network='default'/></interface>"),
    message: "XML error: Missing required attribute 'bridge' in element 'source'",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'source before mac',
    xml: guest(net("<mac address='zz'/>")),
    message: "XML error: interface type='network' requires a 'source' element",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'target managed',
    xml: sourcedGuest("<target dev='t0' managed='x'/>"),
    message: "XML error: Invalid value for attribute 'managed' in element 'target': 'x'.",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'mac unparsable',
    xml: sourcedGuest("<mac address='zz'/>"),
    message: "XML error: unable to parse mac address 'zz'",
    errorClass: 'XML_ERROR',
  },
  { check: 'mac empty', xml: sourcedGuest("<mac address=''/>"), message: "XML error: unable to parse mac address ''", errorClass: 'XML_ERROR' },
  {
    check: 'mac leading space',
    xml: sourcedGuest("<mac address=' 52:54:00:00:00:01'/>"),
    message: "XML error: unable to parse mac address ' 52:54:00:00:00:01'",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'mac seven groups',
    xml: sourcedGuest("<mac address='52:54:00:00:00:01:02'/>"),
    message: "XML error: unable to parse mac address '52:54:00:00:00:01:02'",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'mac multicast',
    xml: sourcedGuest("<mac address='01:00:5E:00:00:01'/>"),
    message: "XML error: expected unicast mac address, found multicast '01:00:5E:00:00:01'",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'mac type',
    xml: sourcedGuest("<mac address='52:54:00:00:00:01' type='x'/>"),
    message: "XML error: Invalid value for attribute 'type' in element 'mac': 'x'.",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'mac check',
    xml: sourcedGuest("<mac address='52:54:00:00:00:01' check='x'/>"),
    message: "XML error: Invalid value for attribute 'check' in element 'mac': 'x'.",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'portid (live XML)',
    xml: guest(net("<source network='default' portid='zz'/>")),
    message: "XML error: Invalid value for attribute 'portid' in element 'source': 'zz'. Expected UUID",
    errorClass: 'XML_ERROR',
    live: true,
    oracle: null,
  },

  // after parsing
  { check: 'name with slash', xml: guest('', '', 'a/b'), message: "XML error: name a/b cannot contain '/'", errorClass: 'XML_ERROR' },
  {
    check: 'interfaces before the slash',
    xml: guest(net(`${SRC}<mac address='zz'/>`), '', 'a/b'),
    message: "XML error: unable to parse mac address 'zz'",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'unmanaged target (network)',
    xml: sourcedGuest("<target dev='t0' managed='no'/>"),
    message: "unsupported configuration: unmanaged target dev is not supported on interfaces of type 'network'",
    errorClass: 'CONFIG_UNSUPPORTED',
  },
  {
    check: 'unmanaged target (bridge)',
    xml: guest("<interface type='bridge'><source bridge='br0'/><target dev='t0' managed='no'/></interface>"),
    message: "unsupported configuration: unmanaged target dev is not supported on interfaces of type 'bridge'",
    errorClass: 'CONFIG_UNSUPPORTED',
  },
  {
    check: 'slash before unmanaged target',
    xml: guest(net(`${SRC}<target dev='t0' managed='no'/>`), '', 'a/b'),
    message: "XML error: name a/b cannot contain '/'",
    errorClass: 'XML_ERROR',
  },
  {
    check: 'duplicate alias',
    xml: guest(net(`${SRC}<alias name='ua-x'/>`) + net(`${SRC}<alias name='ua-x'/>`)),
    message: 'unsupported configuration: non unique alias detected: ua-x',
    errorClass: 'CONFIG_UNSUPPORTED',
  },
  {
    check: 'duplicate alias with another device',
    xml: guest(`${net(`${SRC}<alias name='ua-x'/>`)}<disk type='file'><source file='/x'/><target dev='vda'/><alias name='ua-x'/></disk>`),
    message: 'unsupported configuration: non unique alias detected: ua-x',
    errorClass: 'CONFIG_UNSUPPORTED',
  },
  {
    check: 'unmanaged target before aliases',
    xml: guest(net(`${SRC}<alias name='ua-x'/>`) + net(`${SRC}<alias name='ua-x'/><target dev='t0' managed='no'/>`)),
    message: "unsupported configuration: unmanaged target dev is not supported on interfaces of type 'network'",
    errorClass: 'CONFIG_UNSUPPORTED',
  },
  { check: 'name with newline', xml: guest('', '', 'a\nb'), message: 'invalid char in name: \n', errorClass: 'XML_DETAIL' },
  { check: 'slash before newline', xml: guest('', '', 'a\nb/'), message: "XML error: name a\nb/ cannot contain '/'", errorClass: 'XML_ERROR' },
  {
    check: 'aliases before newline',
    xml: guest(net(`${SRC}<alias name='ua-x'/>`) + net(`${SRC}<alias name='ua-x'/>`), '', 'a\nb'),
    message: 'unsupported configuration: non unique alias detected: ua-x',
    errorClass: 'CONFIG_UNSUPPORTED',
  },
];

function parseError(c: ErrorCase): VirError {
  try {
    parseGuestXml(c.xml, { inactive: !c.live });
  } catch (e) {
    if (e instanceof VirError) return e;
    throw e;
  }
  throw new Error(`no error for ${c.check}`);
}

describe('parse errors', () => {
  it.each(CASES)('$check', (c) => {
    const err = parseError(c);
    expect(err.message).toBe(c.message);
    expect(err.errorClass).toBe(c.errorClass);
  });
});

/* ---- the oracle: libvirt 9.0's own domain parser ---- */

const VIRSH = spawnSync('virsh', ['--version'], { encoding: 'utf8' }).status === 0;
const dir = VIRSH ? mkdtempSync(join(tmpdir(), 'guest-oracle-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The case as a domain libvirt's test driver can define: type 'test', with the <os> and <memory> it requires. */
function forOracle(xml: string): string {
  const typed = xml.replace(/^<domain type='(netns|tap)'/, "<domain type='test'");
  if (!typed.startsWith('<domain') || !/<\/domain>\s*$/.test(typed)) return typed;
  const end = typed.indexOf('>');
  if (typed[end - 1] === '/') return typed;
  return `${typed.slice(0, end + 1)}<os><type>hvm</type></os><memory>1024</memory>${typed.slice(end + 1)}`;
}

/** What `virsh define` prints after "error: Failed to define domain from F\nerror: ", with its newline. */
function libvirtError(xml: string, i: number): string | null {
  const file = join(dir, `case${i}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync('virsh', ['-q', '-c', 'test:///default', 'define', file], { encoding: 'utf8', timeout: 20_000 });
  if (r.status === 0) return null;
  const head = `error: Failed to define domain from ${file}\nerror: `;
  const rest = r.stderr.startsWith(head) ? r.stderr.slice(head.length) : r.stderr;
  // virsh repeats some errors; the first one is the library's.
  const next = rest.indexOf('\nerror: ');
  return next < 0 ? rest : rest.slice(0, next + 1);
}

describe.skipIf(!VIRSH)('parse errors agree with libvirt 9.0 (virsh -c test:///default define)', () => {
  const checked = CASES.filter((c) => c.oracle !== null && !c.live);
  it.each(checked.map((c, i) => ({ ...c, i })))('$check', (c) => {
    expect(libvirtError(forOracle(c.xml), c.i)).toBe(`${c.message}\n`);
  });

  it('and libvirt accepts what virtnet refuses on its own', () => {
    const own = CASES.filter((c) => c.oracle === null && !c.live);
    own.forEach((c, i) => {
      expect(libvirtError(forOracle(c.xml).replace("type='kvm'", "type='test'"), 1000 + i), c.check).toBeNull();
    });
  });
});

/* ---- valid input ---- */

describe('the model', () => {
  it('holds a minimal guest', () => {
    const def = parseGuestXml(`<domain type='netns'><name>centos7.0</name><uuid>${UUID.toUpperCase()}</uuid></domain>`);
    expect(def).toEqual({
      type: 'netns',
      name: 'centos7.0',
      uuid: UUID,
      uuidSpecified: true,
      interfaces: [],
      document: { attrs: [], nsDecls: [], children: [] },
    });
    expect(formatGuestXml(def)).toBe(`<domain type='netns'>\n  <name>centos7.0</name>\n  <uuid>${UUID}</uuid>\n</domain>\n`);
  });

  it('generates a missing uuid from the injected source', () => {
    const def = parseGuestXml("<domain type='tap'><name>g</name></domain>", { uuid: () => UUID });
    expect(def.uuid).toBe(UUID);
    expect(def.uuidSpecified).toBe(false);
  });

  it('reads name, uuid and title as libvirt does: the first element, empty meaning absent', () => {
    const def = parseGuestXml("<domain type='tap'><name> a </name><name>b</name><title></title><title>t</title></domain>");
    expect(def.name).toBe(' a ');
    expect(def.title).toBeUndefined();
    expect(formatGuestXml(def)).not.toContain('<name>b</name>');
  });

  it('reads the live id only from live XML', () => {
    const xml = "<domain type='netns' id='7'><name>g</name></domain>";
    expect(parseGuestXml(xml).id).toBe(7);
    expect(parseGuestXml(xml, { inactive: true }).id).toBeUndefined();
    expect(parseGuestXml("<domain type='netns' id='x'><name>g</name></domain>").id).toBeUndefined();
  });

  it('keeps MAC addresses in canonical form', () => {
    const def = parseGuestXml(sourcedGuest("<mac address='52:54:0:AB:cd:1'/>"));
    expect(def.interfaces[0]!.mac).toBe('52:54:00:ab:cd:01');
  });

  it('keeps an interface without <mac> without an address (allocation is mac.ts)', () => {
    expect(parseGuestXml(guest(net(SRC))).interfaces[0]!.mac).toBeUndefined();
  });

  it.each([
    ['VirtIO', 'virtio'],
    ['E1000E', 'e1000e'],
    ['am79c970a', 'Am79C970A'],
    ['82540em', '82540EM'],
    ['usb-NET', 'usb-net'],
    ['my_Nic-1', 'my_Nic-1'],
    ['unknown', undefined],
    ['', undefined],
  ])('spells model %j as libvirt does', (given, model) => {
    expect(parseGuestXml(sourcedGuest(`<model type='${given}'/>`)).interfaces[0]!.model).toBe(model);
  });

  it('takes the model from the first <model> that has a type', () => {
    expect(parseGuestXml(sourcedGuest("<model/><model type='rtl8139'/>")).interfaces[0]!.model).toBe('rtl8139');
  });

  it('reads both interface types', () => {
    const def = parseGuestXml(
      guest(`${net("<source network='default' portgroup='pg'/>")}<interface type='bridge'><source bridge='br0'/><target dev='tap0'/></interface>`),
    );
    expect(def.interfaces).toEqual([
      { type: 'network', source: 'default', portgroup: 'pg', extra: [] },
      { type: 'bridge', source: 'br0', target: 'tap0', extra: [] },
    ]);
  });

  it('blanks generated target names and non-user aliases in definitions, keeps them in live XML', () => {
    const xml = guest(
      net(`${SRC}<target dev='vnet4'/><alias name='net0'/>`) +
        net(`${SRC}<target dev='macvtap1'/><alias name='ua-a'/>`) +
        net(`${SRC}<target dev='macvlan0'/>`) +
        net(`${SRC}<target dev='mynic'/>`),
    );
    expect(parseGuestXml(xml, { inactive: true }).interfaces.map((i) => [i.target, i.alias])).toEqual([
      [undefined, undefined],
      [undefined, 'ua-a'],
      [undefined, undefined],
      ['mynic', undefined],
    ]);
    expect(parseGuestXml(xml).interfaces.map((i) => [i.target, i.alias])).toEqual([
      ['vnet4', 'net0'],
      ['macvtap1', 'ua-a'],
      ['macvlan0', undefined],
      ['mynic', undefined],
    ]);
  });

  it('accepts an all-zero MAC and an empty network name, as libvirt 9.0 does', () => {
    const def = parseGuestXml(guest(net("<source network=''/><mac address='00:00:00:00:00:00'/>")));
    expect(def.interfaces[0]).toMatchObject({ source: '', mac: '00:00:00:00:00:00' });
  });

  it('drops the attributes and children of typed elements that libvirt drops', () => {
    const def = parseGuestXml(
      guest(net("<source network='n' extra='1'><foo/></source><mac address='52:54:00:00:00:01' currentAddress='52:54:00:00:00:02'/>")),
    );
    expect(formatGuestXml(def)).toContain("<mac address='52:54:00:00:00:01'/>\n      <source network='n'/>\n");
  });
});
