import { describe, expect, it } from 'vitest';
import { readXml, attr, childElements } from '../../src/xml/reader.js';
import { VirError } from '../../src/util/errors.js';

const label = '(network_definition)';

function parseError(source: string): string {
  try {
    readXml(source, { label });
  } catch (e) {
    expect(e).toBeInstanceOf(VirError);
    return (e as VirError).message;
  }
  throw new Error('expected a parse error');
}

describe('readXml', () => {
  it('returns plain elements with attributes in document order', () => {
    const root = readXml('<network a=\'1\' b="2"><name>x</name></network>', { label });
    expect(root.name).toBe('network');
    expect(root.attrs.map((a) => a.name)).toEqual(['a', 'b']);
    expect(attr(root, 'b')).toBe('2');
    expect(childElements(root, 'name')).toHaveLength(1);
  });

  // Texts checked against libvirt 9.0's virsh net-define.
  it.each([
    [
      'reports a tag mismatch with libxml2 text, the line and a pointer',
      '<network>\n  <name>foo</nam>\n</network>\n',
      '(network_definition):2: Opening and ending tag mismatch: name line 2 and nam\n  <name>foo</nam>\n-----------------^',
    ],
    [
      'keeps tabs in the pointer line',
      '<network>\n\t<name>foo</nam>\n</network>\n',
      '(network_definition):2: Opening and ending tag mismatch: name line 2 and nam\n\t<name>foo</nam>\n\t---------------^',
    ],
    [
      'reports only the first libxml2 error',
      '<network>\n\t<name>foo</name>\n  <bridge name="x" \n</network>\n',
      '(network_definition):4: error parsing attribute name\n</network>\n^',
    ],
    [
      'reports trailing content',
      '<network>\n  <name>foo</name>\n</network>\n<x/>',
      '(network_definition):4: Extra content at the end of the document\n<x/>\n^',
    ],
    ['reports an empty document', '', '(network_definition):1: Document is empty\n(null)\n^'],
  ])('%s', (_name, xml, message) => {
    expect(parseError(xml)).toBe(message);
  });
});

// More positions, each checked against libvirt 9.0's virsh net-define.
describe('readXml error positions', () => {
  const cases: Array<[string, string]> = [
    [
      '<network><name>x</nam></network>',
      '(network_definition):1: Opening and ending tag mismatch: name line 1 and nam\n<network><name>x</nam></network>\n----------------------^',
    ],
    [
      '<network>\n  <name>x</nam>   \n</network>',
      '(network_definition):2: Opening and ending tag mismatch: name line 2 and nam\n  <name>x</nam>   \n---------------^',
    ],
    [
      '<network>\n  <name>x</name>\n  <bridge name=x/>\n</network>',
      '(network_definition):3: AttValue: " or \' expected\n  <bridge name=x/>\n---------------^',
    ],
    ['<network>\n  <name>x&foo;</name>\n</network>', "(network_definition):2: Entity 'foo' not defined\n  <name>x&foo;</name>\n--------------^"],
    [
      '<network>\n  <name a="1" a="2">x</name>\n</network>',
      '(network_definition):2: Attribute a redefined\n  <name a="1" a="2">x</name>\n-------------------^',
    ],
    ['<network>\n  <name>x</name>\n', '(network_definition):3: Premature end of data in tag network line 1\n(null)\n^'],
  ];
  it.each(cases)('%j', (source, expected) => {
    expect(() => readXml(source, { label })).toThrow(expected);
    try {
      readXml(source, { label });
    } catch (e) {
      expect((e as VirError).message).toBe(expected);
    }
  });

  it('skips processing instructions instead of crashing', () => {
    const root = readXml('<network><?pi x?><name>x</name></network>', { label });
    expect(childElements(root).map((c) => c.name)).toEqual(['name']);
  });
});
