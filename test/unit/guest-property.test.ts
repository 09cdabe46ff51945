/**
 * Property tests over generated guest documents (fast-check): whatever the
 * typed fields, the kept elements, their order and the characters in them,
 * formatting is lossless (reading the output gives the same definition) and
 * its output is a fixed point, live and inactive.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGuestXml } from '../../src/conf/guest/parse.js';
import { formatGuestXml } from '../../src/conf/guest/format.js';
import { escapeXml } from '../../src/xml/escape.js';

const UUID = 'c7a5fdbd-edaf-9455-926a-d65c16db1809';
const uuid = (): string => UUID;

/** Text with XML specials, quotes and non-ASCII; attribute values without line breaks (XML normalizes those). */
const CHARS = ['a', 'b', 'Z', '0', '-', '_', '.', ' ', '&', '<', '>', "'", '"', 'é', '☃', ']'];
const attrValue = fc.array(fc.constantFrom(...CHARS), { maxLength: 8 }).map((a) => a.join(''));
const text = fc
  .array(fc.constantFrom(...CHARS, '\n'), { minLength: 1, maxLength: 10 })
  .map((a) => a.join(''))
  .filter((s) => s.trim() !== '');
const name = fc.array(fc.constantFrom('a', 'b', '0', '-', '_', '.', '&', "'", 'é'), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));

const esc = (s: string): string => escapeXml(s);
const attr = (n: string, v: string | undefined): string => (v === undefined ? '' : ` ${n}="${esc(v)}"`);

/** A kept element: a known or unknown name, attributes, and text or child elements. */
const keptElement: fc.Arbitrary<string> = fc.letrec((tie) => ({
  el: fc
    .tuple(
      fc.constantFrom('memory', 'os', 'features', 'clock', 'foo', 'bar-baz', 'q:ext', 'description'),
      fc.array(fc.tuple(fc.constantFrom('unit', 'mode', 'x', 'q:y'), attrValue), { maxLength: 2 }),
      fc.oneof(
        { depthSize: 'small' },
        fc.constant(''),
        text.map(esc),
        fc.array(tie('el') as fc.Arbitrary<string>, { maxLength: 2 }).map((a) => a.join('')),
        // Mixed content.
        fc.tuple(text, tie('el') as fc.Arbitrary<string>, fc.option(text, { nil: '' })).map(([t, e, u]) => `${esc(t)}${e}${esc(u)}`),
      ),
    )
    .map(([n, attrs, body]) => {
      const seen = new Set<string>();
      const a = attrs
        .filter(([k]) => !seen.has(k) && seen.add(k))
        .map(([k, v]) => attr(k, v))
        .join('');
      return body === '' ? `<${n}${a}/>` : `<${n}${a}>${body}</${n}>`;
    }),
})).el as fc.Arbitrary<string>;

const EXTRAS = [
  "<address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>",
  "<boot order='2'/>",
  "<driver name='vhost'><host csum='off'/></driver>",
  "<link state='up'/>",
  "<mtu size='9000'/>",
  '<foo>bar</foo>',
  "<q:hint level='1'/>",
  "<bandwidth><inbound average='10'/></bandwidth>",
];

const mac = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }).chain((b) =>
  fc.boolean().map((upper) =>
    [b[0]! & 0xfe, ...b.slice(1)]
      .map((x) => x.toString(16).padStart(2, '0'))
      .join(':')
      [upper ? 'toUpperCase' : 'toLowerCase'](),
  ),
);

const iface = (index: number): fc.Arbitrary<string> =>
  fc
    .record({
      type: fc.constantFrom('network', 'bridge'),
      source: name,
      portgroup: fc.option(name, { nil: undefined }),
      portid: fc.option(fc.constant('5b4f3d0e-8a7c-4b1d-9e2f-3a6c8d0b1e24'), { nil: undefined }),
      bridge: fc.option(fc.constantFrom('virbr0', 'br-x'), { nil: undefined }),
      mac: fc.option(mac, { nil: undefined }),
      model: fc.option(fc.constantFrom('virtio', 'VIRTIO', 'e1000e', 'Am79C970A', 'my_model'), { nil: undefined }),
      target: fc.option(fc.constantFrom('vnet3', 'macvtap0', 'mytap', 'tap-x'), { nil: undefined }),
      alias: fc.option(fc.constantFrom(`ua-n${index}`, `net${index}`), { nil: undefined }),
      trust: fc.option(fc.boolean(), { nil: undefined }),
      extras: fc.subarray(EXTRAS),
    })
    .chain((r) => {
      const children = [
        r.type === 'network'
          ? `<source network="${esc(r.source)}"${attr('portgroup', r.portgroup)}${attr('portid', r.portid)}${attr('bridge', r.bridge)}/>`
          : `<source bridge="${esc(r.source)}"/>`,
        r.mac === undefined ? '' : `<mac address="${r.mac}"/>`,
        r.model === undefined ? '' : `<model type="${r.model}"/>`,
        r.target === undefined ? '' : `<target dev="${r.target}"/>`,
        r.alias === undefined ? '' : `<alias name="${r.alias}"/>`,
        ...r.extras,
      ].filter((c) => c !== '');
      return fc
        .shuffledSubarray(children, { minLength: children.length })
        .map(
          (kids) =>
            `<interface type="${r.type}"${attr('trustGuestRxFilters', r.trust === undefined ? undefined : r.trust ? 'yes' : 'no')}>${kids.join('')}</interface>`,
        );
    });

const guestDoc = fc
  .record({
    type: fc.constantFrom('netns', 'tap'),
    id: fc.option(fc.integer({ min: 1, max: 99 }), { nil: undefined }),
    name,
    uuid: fc.option(fc.constant(UUID.toUpperCase()), { nil: undefined }),
    title: fc.option(
      text.filter((t) => !t.includes('\n')),
      { nil: undefined },
    ),
    kept: fc.array(keptElement, { maxLength: 4 }),
    devicesBefore: fc.subarray(['<emulator>/usr/bin/qemu</emulator>', "<disk type='file'><target dev='vda'/></disk>"]),
    devicesAfter: fc.subarray(["<serial type='pty'/>", "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>"]),
    nics: fc.integer({ min: 0, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => iface(i)))),
    withDevices: fc.boolean(),
  })
  .chain((g) => {
    const devices = g.withDevices || g.nics.length > 0 ? [`<devices>${[...g.devicesBefore, ...g.nics, ...g.devicesAfter].join('')}</devices>`] : [];
    const children = [
      `<name>${esc(g.name)}</name>`,
      g.uuid === undefined ? '' : `<uuid>${g.uuid}</uuid>`,
      g.title === undefined ? '' : `<title>${esc(g.title)}</title>`,
      ...g.kept,
      ...devices,
    ].filter((c) => c !== '');
    return fc
      .shuffledSubarray(children, { minLength: children.length })
      .map(
        (kids) => `<domain type="${g.type}"${attr('id', g.id === undefined ? undefined : String(g.id))} xmlns:q="urn:q">${kids.join('')}</domain>`,
      );
  });

describe('generated guest documents', () => {
  it('format losslessly, and the output is a fixed point', () => {
    fc.assert(
      fc.property(guestDoc, (xml) => {
        const def = parseGuestXml(xml, { uuid });
        const out = formatGuestXml(def);
        const again = parseGuestXml(out, { uuid });
        // Only the record of a generated uuid changes: the output carries it.
        expect({ ...again, uuidSpecified: def.uuidSpecified }).toEqual(def);
        expect(formatGuestXml(again)).toBe(out);
      }),
      { numRuns: 300 },
    );
  });

  it('format inactive consistently with reading inactive', () => {
    fc.assert(
      fc.property(guestDoc, (xml) => {
        const live = parseGuestXml(xml, { uuid });
        const out = formatGuestXml(live, { inactive: true });
        // Inactive output of the live definition is what libvirt keeps of it...
        expect(formatGuestXml(parseGuestXml(xml, { uuid, inactive: true }), { inactive: true })).toBe(out);
        // ... and reading it back as a definition changes nothing.
        expect(formatGuestXml(parseGuestXml(out, { uuid, inactive: true }), { inactive: true })).toBe(out);
        expect(out).not.toMatch(/ id='|portid=|<target dev='(vnet|macvtap)|<alias name='net/);
      }),
      { numRuns: 300 },
    );
  });
});
