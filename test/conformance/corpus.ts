/**
 * The harness for libvirt's test corpus, following SOURCE.md in the corpus
 * folder: which input maps to which expected output, with which flags.
 * The case tables below are our own transcription of that guide.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { formatNetworkXml } from '../../src/conf/network/format.js';
import { applyUpdate, type UpdateCommand, type UpdateSection } from '../../src/conf/network/update.js';
import { planDnsmasq } from '../../src/plan/dnsmasq.js';
import { VirError } from '../../src/util/errors.js';

export const CORPUS_NAMES = ['networkxml2xml', 'networkxml2conf', 'networkxml2xmlupdate'] as const;
export type CorpusName = (typeof CORPUS_NAMES)[number];

export interface CaseResult {
  name: string;
  ok: boolean;
  reason?: string;
}

/** Cases that libvirt formats with the INACTIVE flag. */
const INACTIVE_XML_CASES = new Set(['passthrough-pf', 'hostdev-pf', 'hostdev-pf-driver-model']);

/** Cases that must fail to parse, with the text libvirt gives. */
export const XML_FAILURE_CASES: Record<string, string> = {
  'routed-network-no-dns-extra-elements': "Extra data in disabled network 'local'",
  'open-network-with-forward-dev': "forward dev not allowed for network 'open' with forward mode='open'",
  'hostdev-duplicate': "PCI device '0000:03:00.3' can only be listed once in network hostdev",
  'passthrough-duplicate': "interface 'eth3' can only be listed once in network passthrough-duplicate",
};

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** libvirt's comparison: append one newline if the generated text lacks it, then compare exactly. */
function sameText(actual: string, expected: string): boolean {
  const a = actual.endsWith('\n') ? actual : `${actual}\n`;
  return a === expected;
}

function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) return `line ${i + 1}: expected ${JSON.stringify(e[i])}, got ${JSON.stringify(a[i])}`;
  }
  return 'texts differ';
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function runXml2Xml(dir: string): CaseResult[] {
  const inDir = join(dir, 'networkxml2xmlin');
  const outDir = join(dir, 'networkxml2xmlout');
  const results: CaseResult[] = [];
  for (const file of readdirSync(inDir)
    .filter((f) => f.endsWith('.xml'))
    .sort()) {
    const name = file.slice(0, -4);
    const input = read(join(inDir, file));
    const expectedError = XML_FAILURE_CASES[name];
    try {
      const def = parseNetworkXml(input);
      const xml = formatNetworkXml(def, { inactive: INACTIVE_XML_CASES.has(name) });
      if (expectedError !== undefined) {
        results.push({ name, ok: false, reason: `expected failure "${expectedError}", but it parsed` });
        continue;
      }
      const expected = read(join(outDir, file));
      results.push(sameText(xml, expected) ? { name, ok: true } : { name, ok: false, reason: firstDifference(xml, expected) });
    } catch (e) {
      const message = errorText(e);
      if (expectedError !== undefined && e instanceof VirError && message.includes(expectedError)) results.push({ name, ok: true });
      else results.push({ name, ok: false, reason: `error: ${message}` });
    }
  }
  return results;
}

function runXml2Conf(dir: string): CaseResult[] {
  const dataDir = join(dir, 'networkxml2confdata');
  const results: CaseResult[] = [];
  for (const file of readdirSync(dataDir)
    .filter((f) => f.endsWith('.xml'))
    .sort()) {
    const name = file.slice(0, -4);
    try {
      const def = parseNetworkXml(read(join(dataDir, file)));
      const plan = planDnsmasq(def, { stateDir: '/var/lib/libvirt/dnsmasq', editTool: 'virsh', product: 'libvirt' });
      const expectedConf = read(join(dataDir, `${name}.conf`));
      if (!sameText(plan.conf, expectedConf)) {
        results.push({ name, ok: false, reason: `conf ${firstDifference(plan.conf, expectedConf)}` });
        continue;
      }
      const hostsPath = join(dataDir, `${name}.hostsfile`);
      if (existsSync(hostsPath)) {
        const expectedHosts = read(hostsPath);
        if (plan.hostsfile !== expectedHosts) {
          results.push({ name, ok: false, reason: `hostsfile ${firstDifference(plan.hostsfile, expectedHosts)}` });
          continue;
        }
      } else if (plan.hostsfile !== '') {
        results.push({ name, ok: false, reason: `expected no static DHCP hosts, got ${JSON.stringify(plan.hostsfile)}` });
        continue;
      }
      results.push({ name, ok: true });
    } catch (e) {
      results.push({ name, ok: false, reason: `error: ${errorText(e)}` });
    }
  }
  return results;
}

interface UpdateCase {
  section: UpdateSection;
  name: string;
  snippet: string;
  base: string;
  command: UpdateCommand;
  /** Expected networkxml2xmlupdateout file, or null when the update must fail. */
  result: string | null;
}

const u = (section: UpdateSection, name: string, snippet: string, base: string, command: UpdateCommand, result: string | null): UpdateCase => ({
  section,
  name,
  snippet,
  base,
  command,
  result,
});

/** The update cases as SOURCE.md lists them (effective parentIndex is always 0, see its "quirk"). */
export const UPDATE_CASES: UpdateCase[] = [
  u('ip-dhcp-host', 'add-host-incomplete', 'host-incomplete', 'nat-network', 'add-last', null),
  u('ip-dhcp-host', 'add-host-new-incomplete', 'host-new-incomplete', 'nat-network', 'add-last', null),
  u('ip-dhcp-host', 'add-host-existing', 'host-existing', 'nat-network', 'add-last', null),
  u('ip-dhcp-host', 'add-host-new', 'host-new', 'nat-network', 'add-last', 'nat-network-hosts'),
  u('ip-dhcp-host', 'modify-host-missing', 'host-new', 'nat-network', 'modify', null),
  u('ip-dhcp-host', 'modify-host-incomplete', 'host-incomplete', 'nat-network', 'modify', null),
  u('ip-dhcp-host', 'modify-host', 'host-updated', 'nat-network', 'modify', 'nat-network-host-updated'),
  u('ip-dhcp-host', 'delete-host-incomplete', 'host-incomplete', 'nat-network', 'delete', 'nat-network-one-host'),
  u('ip-dhcp-host', 'delete-host-existing', 'host-existing', 'nat-network', 'delete', 'nat-network-one-host'),
  u('ip-dhcp-host', 'delete-host-missing', 'host-new', 'nat-network', 'delete', null),
  u('ip-dhcp-range', 'add-dhcp-range', 'dhcp-range', 'dhcp6host-routed-network', 'add-first', 'dhcp6host-routed-network-range'),
  u('ip-dhcp-range', 'add-dhcp-range-outside-net', 'dhcp-range-10', 'dhcp6host-routed-network', 'add-first', null),
  u('ip-dhcp-range', 'append-dhcp-range', 'dhcp-range', 'dhcp6host-routed-network', 'add-last', 'dhcp6host-routed-network-another-range'),
  u('ip-dhcp-range', 'delete-dhcp-range', 'dhcp-range-existing', 'nat-network', 'delete', 'nat-network-no-range'),
  u('ip-dhcp-range', 'delete-dhcp-range-2', 'dhcp-range', 'nat-network', 'delete', null),
  u('forward-interface', 'insert-forward-interface', 'interface-eth47', 'nat-network-dns-srv-record', 'add-first', 'nat-network-forward-ifaces'),
  u('forward-interface', 'delete-forward-interface', 'interface-eth1', 'nat-network-dns-srv-record', 'delete', 'nat-network-no-forward-ifaces'),
  u('forward-interface', 'delete-forward-interface-2', 'interface-eth47', 'nat-network-dns-srv-record', 'delete', null),
  u('portgroup', 'insert-portgroup', 'portgroup-alison', 'openvswitch-net', 'add-first', 'openvswitch-net-more-portgroups'),
  u('portgroup', 'append-duplicate-portgroup', 'portgroup-alice-new', 'openvswitch-net', 'add-last', null),
  u('portgroup', 'modify-portgroup', 'portgroup-alice-new', 'openvswitch-net', 'modify', 'openvswitch-net-modified'),
  u('portgroup', 'modify-missing-portgroup', 'portgroup-alison', 'openvswitch-net', 'modify', null),
  u('portgroup', 'delete-portgroup', 'portgroup-alice-new', 'openvswitch-net', 'delete', 'openvswitch-net-without-alice'),
  u('portgroup', 'delete-missing-portgroup', 'portgroup-alice-new', 'nat-network-dns-srv-record', 'delete', null),
  u('dns-host', 'insert-incomplete-host', 'dns-host-gateway-incomplete', 'nat-network-dns-hosts', 'add-first', null),
  u('dns-host', 'insert-host', 'dns-host-pudding', 'nat-network-dns-hosts', 'add-first', 'nat-network-dns-more-hosts'),
  u('dns-host', 'delete-missing-unparsable-dns-host', 'unparsable-dns-host', 'nat-network', 'delete', null),
  u('dns-host', 'delete-dns-host', 'dns-host-gateway-incomplete', 'nat-network-dns-hosts', 'delete', 'nat-network-no-hosts'),
  u('dns-host', 'modify-dns-host', 'dns-host-modify', 'nat-network-dns-hosts', 'modify', 'nat-network-dns-hosts-modified'),
  u('dns-host', 'modify-dns-host-not-existing', 'dns-host-modify-not-existing', 'nat-network-dns-hosts', 'modify', null),
  u('dns-txt', 'insert-dns-txt-record', 'dns-txt-record-snowman', 'nat-network-dns-txt-record', 'add-first', 'nat-network-dns-txt-records'),
  u('dns-txt', 'append-duplicate-dns-txt-record', 'dns-txt-record-example', 'nat-network-dns-txt-record', 'add-last', null),
  u('dns-txt', 'delete-dns-txt-record', 'dns-txt-record-example', 'nat-network-dns-txt-record', 'delete', 'nat-network-dns-txt-none'),
  u('dns-txt', 'delete-missing-dns-txt-record', 'dns-txt-record-snowman', 'nat-network-dns-txt-record', 'delete', null),
  u('dns-txt', 'modify-dns-txt-record', 'dns-txt-record-modify-success', 'nat-network-dns-txt-record', 'modify', 'nat-network-dns-txt-modify-ok'),
  u('dns-txt', 'modify-missing-dns-txt-record', 'dns-txt-record-modify-fail', 'nat-network-dns-txt-record', 'modify', null),
  u('dns-srv', 'insert-first-srv-record-service', 'srv-record', 'nat-network', 'add-first', 'nat-network-dns-srv-record'),
  u('dns-srv', 'append-first-srv-record-service', 'srv-record', 'nat-network', 'add-last', 'nat-network-dns-srv-record'),
  u('dns-srv', 'add-existing-dns-srv-record', 'srv-record', 'nat-network-dns-srv-record', 'add-last', null),
  u('dns-srv', 'append-srv-record-service', 'srv-record-donkey', 'nat-network-dns-srv-record', 'add-last', 'nat-network-dns-srv-records'),
  u('dns-srv', 'delete-missing-srv-record-service', 'srv-record-service', 'nat-network', 'delete', null),
  u('dns-srv', 'delete-srv-record-invalid', 'srv-record-invalid', 'nat-network-dns-srv-record', 'delete', null),
  u('dns-srv', 'delete-srv-record-donkey', 'srv-record-donkey', 'nat-network-dns-srv-records', 'delete', 'nat-network-dns-srv-record'),
  u('dns-srv', 'delete-ambiguous-srv-record-service', 'srv-record-service', 'nat-network-dns-srv-records', 'delete', null),
  u('dns-srv', 'delete-srv-record-protocol', 'srv-record-protocol', 'nat-network-dns-srv-record', 'delete', 'nat-network'),
];

/** Where an update case's expected output lives: updateout first, then xmlout (e.g. 'nat-network'). */
function expectedUpdatePath(dir: string, result: string): string {
  const own = join(dir, 'networkxml2xmlupdateout', `${result}.xml`);
  return existsSync(own) ? own : join(dir, 'networkxml2xmlout', `${result}.xml`);
}

function runXmlUpdate(dir: string): CaseResult[] {
  const results: CaseResult[] = [];
  for (const c of UPDATE_CASES) {
    let output: string;
    try {
      const base = parseNetworkXml(read(join(dir, 'networkxml2xmlin', `${c.base}.xml`)));
      const snippet = read(join(dir, 'networkxml2xmlupdatein', `${c.snippet}.xml`));
      const updated = applyUpdate(base, c.command, c.section, 0, snippet);
      output = formatNetworkXml(updated);
    } catch (e) {
      // A failure case passes only on a libvirt-style error, not on a crash.
      const ok = c.result === null && e instanceof VirError;
      results.push(ok ? { name: c.name, ok: true } : { name: c.name, ok: false, reason: `error: ${errorText(e)}` });
      continue;
    }
    if (c.result === null) {
      results.push({ name: c.name, ok: false, reason: 'expected the update to fail, but it succeeded' });
      continue;
    }
    const expected = read(expectedUpdatePath(dir, c.result));
    results.push(sameText(output, expected) ? { name: c.name, ok: true } : { name: c.name, ok: false, reason: firstDifference(output, expected) });
  }
  return results;
}

export function runConformance(dir: string, corpus: CorpusName): CaseResult[] {
  switch (corpus) {
    case 'networkxml2xml':
      return runXml2Xml(dir);
    case 'networkxml2conf':
      return runXml2Conf(dir);
    case 'networkxml2xmlupdate':
      return runXmlUpdate(dir);
  }
}
