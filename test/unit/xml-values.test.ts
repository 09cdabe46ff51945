/**
 * Issue 10, point 1 (XML side): what a saved definition holds reads back as
 * what was given. Attribute values with tabs, newlines and carriage returns
 * survive dumpxml → define; a document with an internal DTD subset is
 * refused instead of being saved in a form that no longer parses.
 */
import { describe, expect, it } from 'vitest';
import { formatNetworkXml } from '../../src/conf/network/format.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { parseGuestXml } from '../../src/conf/guest/parse.js';
import { formatGuestXml } from '../../src/conf/guest/format.js';
import { thrownBy } from './support/vir-error.js';

const UUID = '0f0e0d0c-0b0a-4908-8706-050403020100';

function network(inner: string): string {
  return `<network>\n  <name>lab</name>\n  <uuid>${UUID}</uuid>\n  <bridge name='vnbr7'/>\n${inner}\n</network>\n`;
}

describe('dumpxml of what was defined reads back identical', () => {
  it('keeps tabs, newlines and carriage returns in attribute values (written as character references)', () => {
    const value = 'a\nb\tc\rd';
    const def = parseNetworkXml(network("  <dns><txt name='t' value='a&#10;b&#9;c&#13;d'/></dns>\n  <ip address='10.9.8.1' prefix='24'/>"));
    expect(def.dns.txts[0]!.value).toBe(value);
    const saved = formatNetworkXml(def);
    expect(saved).toContain("<txt name='t' value='a&#10;b&#9;c&#13;d'/>");
    const again = parseNetworkXml(saved);
    expect(again.dns.txts[0]!.value).toBe(value);
    expect(formatNetworkXml(again)).toBe(saved);
  });

  it('keeps a carriage return in element text (a reader would turn it into a newline)', () => {
    const def = parseNetworkXml(network('  <description>one&#13;two\nthree</description>'));
    const saved = formatNetworkXml(def);
    expect(saved).toContain('<description>one&#13;two\nthree</description>');
    expect(parseNetworkXml(saved).description).toBe('one\rtwo\nthree');
  });

  it("keeps them in a guest's kept elements and interface attributes too", () => {
    const xml = [
      "<domain type='netns'>",
      '  <name>g1</name>',
      `  <uuid>${UUID}</uuid>`,
      "  <os><type arch='x86_64'>hvm</type><cmdline>a&#10;b</cmdline></os>",
      '  <devices>',
      "    <interface type='network'><source network='default'/><alias name='ua-x&#9;y'/></interface>",
      '  </devices>',
      '</domain>',
    ].join('\n');
    const saved = formatGuestXml(parseGuestXml(xml));
    expect(saved).toContain("<alias name='ua-x&#9;y'/>");
    expect(formatGuestXml(parseGuestXml(saved))).toBe(saved);
  });
});

describe('documents with an internal DTD subset', () => {
  const DTD = '<!DOCTYPE network [\n  <!ENTITY n "lab">\n]>\n';

  it('are refused for networks, naming the reason', () => {
    const err = thrownBy(() => parseNetworkXml(`${DTD}<network><name>&n;</name><bridge name='vnbr7'/></network>`));
    expect(err.errorClass).toBe('XML_ERROR');
    expect(err.message).toBe(
      'XML error: (network_definition): document type declarations with an internal subset (entities, attribute defaults) are not supported',
    );
  });

  it('are refused for guests', () => {
    const err = thrownBy(() => parseGuestXml(`<!DOCTYPE domain [<!ENTITY n "g1">]><domain type='netns'><name>&n;</name></domain>`));
    expect(err.errorClass).toBe('XML_ERROR');
  });

  it('are recognised after an XML declaration and comments, and not confused by a DOCTYPE inside a comment', () => {
    expect(() => parseNetworkXml(`<?xml version="1.0"?>\n<!-- c -->\n${DTD}<network><name>x</name></network>`)).toThrow(/internal subset/);
    expect(parseNetworkXml(`<!-- <!DOCTYPE network [ ]> -->\n<network><name>x</name></network>`).name).toBe('x');
    expect(parseNetworkXml(`<!DOCTYPE network SYSTEM "x[1].dtd">\n<network><name>x</name></network>`).name).toBe('x');
  });
});
