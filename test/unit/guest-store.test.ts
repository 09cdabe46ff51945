/**
 * The text of a guest's stored files: the persistent definition (warning
 * header naming `virtnet edit NAME`, then inactive XML) and the status of a
 * running guest (<domstatus> around the live XML), read back losslessly.
 */
import { describe, expect, it } from 'vitest';
import { formatGuestConfigFile, formatGuestStatusFile, parseGuestStatusXml } from '../../src/conf/guest/store-format.js';
import { parseGuestXml } from '../../src/conf/guest/parse.js';
import { formatGuestXml } from '../../src/conf/guest/format.js';
import { VirError } from '../../src/util/errors.js';

const UUID = 'c7a5fdbd-edaf-9455-926a-d65c16db1809';

const LIVE =
  `<domain type='netns' id='4'>\n` +
  `  <name>centos7.0</name>\n` +
  `  <uuid>${UUID}</uuid>\n` +
  `  <metadata>\n    <app:info xmlns:app="urn:app">\n      <app:owner>ops</app:owner>\n    </app:info>\n  </metadata>\n` +
  `  <devices>\n` +
  `    <interface type='network'>\n` +
  `      <mac address='52:54:00:6b:3c:58'/>\n` +
  `      <source network='default' portid='5b4f3d0e-8a7c-4b1d-9e2f-3a6c8d0b1e24' bridge='virbr0'/>\n` +
  `      <target dev='vnet0'/>\n` +
  `      <model type='virtio'/>\n` +
  `      <alias name='net0'/>\n` +
  `    </interface>\n` +
  `  </devices>\n` +
  `</domain>\n`;

const HEADER =
  '<!--\n' +
  'WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n' +
  'OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n' +
  '  virtnet edit centos7.0\n' +
  'or other application using the libvirt API.\n' +
  '-->\n\n';

describe('the persistent definition', () => {
  it('is the header and the inactive XML', () => {
    const def = parseGuestXml(LIVE);
    expect(formatGuestConfigFile(def)).toBe(HEADER + formatGuestXml(def, { inactive: true }));
    expect(formatGuestConfigFile(def)).not.toContain('vnet0');
  });

  it('reads back as the same definition', () => {
    const def = parseGuestXml(LIVE, { inactive: true });
    const again = parseGuestXml(formatGuestConfigFile(def), { inactive: true });
    expect(again).toEqual(def);
  });

  it('names the uuid in the header when the name is not shell-safe', () => {
    const def = parseGuestXml(`<domain type='tap'><name>a b</name><uuid>${UUID}</uuid></domain>`);
    expect(formatGuestConfigFile(def)).toContain(`  virtnet edit ${UUID}\n`);
  });
});

describe('the status of a running guest', () => {
  const def = parseGuestXml(LIVE);
  const text = formatGuestStatusFile({ state: 'running', reason: 'booted', pid: 4242, def });

  it('wraps the live XML, indented, in <domstatus>', () => {
    const indented = LIVE.replace(/^(?=.)/gm, '  ');
    expect(text).toBe(`${HEADER}<domstatus state='running' reason='booted' pid='4242'>\n${indented}</domstatus>\n`);
  });

  it('reads back losslessly, metadata included', () => {
    const status = parseGuestStatusXml(text);
    expect(status).toEqual({ state: 'running', reason: 'booted', pid: 4242, def });
    expect(formatGuestXml(status.def)).toBe(LIVE);
  });

  it('leaves out the pid of a guest without a process', () => {
    const t = formatGuestStatusFile({ state: 'running', reason: 'booted', def });
    expect(t).toContain("<domstatus state='running' reason='booted'>\n");
    expect(parseGuestStatusXml(t).pid).toBeUndefined();
  });

  it.each([
    ['<domain/>', "XML error: expecting root element of 'domstatus', not 'domain'"],
    ["<domstatus state='running'/>", 'internal error: no domain config'],
    [`<domstatus state='on'>${LIVE}</domstatus>`, "XML error: Invalid value for attribute 'state' in element 'domstatus': 'on'."],
    [`<domstatus>${LIVE}</domstatus>`, "XML error: Missing required attribute 'state' in element 'domstatus'"],
    [`<domstatus state='running' pid='x'>${LIVE}</domstatus>`, 'internal error: invalid pid'],
    ["<domstatus state='running'><domain type='netns'/></domstatus>", 'missing name information'],
    ['<domstatus', "/run/virtnet/guests/g.xml:1: Couldn't find end of Start Tag domstatus line 1\n<domstatus\n----------^"],
  ])('refuses %j', (xml, message) => {
    let err: unknown;
    try {
      parseGuestStatusXml(xml, '/run/virtnet/guests/g.xml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VirError);
    expect((err as VirError).message).toBe(message);
  });
});
