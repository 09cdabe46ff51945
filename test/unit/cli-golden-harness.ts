/**
 * Replaying the golden files (test/golden/*.json, virsh's output gathered
 * from libvirt 9.0 by test/golden/gather.mjs) and comparing what virtnet
 * prints. Shared by the unit test (the network driver in process) and the e2e test
 * (a real virtnetd).
 *
 * Before comparing, both sides are normalised the same way: every UUID,
 * and every network MAC (`<mac address='…'/>`), becomes a numbered
 * placeholder in order of first appearance across the whole flow — so a
 * network must keep its uuid from step to step — and libvirt's schema path
 * becomes virtnet's; a bare version line (`--version`) becomes <version>.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');
export const GOLDEN_XML_DIR = join(GOLDEN_DIR, 'xml');
export const GOLDEN_EDITORS = join(GOLDEN_DIR, 'editors');

export interface GoldenStep {
  args: string[];
  editor?: string;
  stdout: string;
  stderr: string;
  rc: number;
}

export interface GoldenFlow {
  flow: string;
  about: string;
  steps: GoldenStep[];
}

/** A step where the virtnet CLI deliberately differs from virsh (test/golden/virtnet-differs.json). */
interface Deviation {
  flow: string;
  args: string[];
  editor?: string;
  why: string;
  virtnet: { stdout: string; stderr: string; rc: number };
}

const DEVIATIONS = 'virtnet-differs.json';

/**
 * The golden flows, as virsh printed them; for `virtnet` (the virtnet CLI's
 * replays) with the steps where virtnet deliberately differs replaced by
 * what it prints instead. Every deviation must match a step.
 */
export function loadGoldenFlows(client: 'virsh' | 'virtnet' = 'virsh'): GoldenFlow[] {
  const flows = readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.json') && f !== DEVIATIONS)
    .sort()
    .map((f) => JSON.parse(readFileSync(join(GOLDEN_DIR, f), 'utf8')) as GoldenFlow);
  if (client === 'virsh') return flows;
  const deviations = (JSON.parse(readFileSync(join(GOLDEN_DIR, DEVIATIONS), 'utf8')) as { steps: Deviation[] }).steps;
  for (const d of deviations) {
    const step = flows
      .find((f) => f.flow === d.flow)
      ?.steps.find((s) => s.editor === d.editor && s.args.length === d.args.length && s.args.every((a, i) => a === d.args[i]));
    if (step === undefined) throw new Error(`${DEVIATIONS}: no step ${d.args.join(' ')} in flow ${d.flow}`);
    Object.assign(step, d.virtnet);
  }
  return flows;
}

/** The network port flows (test/golden/ports/gather.mjs) and the files their steps name; virtnet prints them as virsh does. */
export const PORT_GOLDEN_DIR = join(GOLDEN_DIR, 'ports');
export const PORT_XML_DIR = join(PORT_GOLDEN_DIR, 'xml');
/** The host bridge doctor-br.xml names: it must exist before that network starts (virtnet checks what a start relies on). */
export const PORT_FLOW_HOST_BRIDGE = 'vdpbr0';

export function loadPortFlows(): GoldenFlow[] {
  return readdirSync(PORT_GOLDEN_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(PORT_GOLDEN_DIR, f), 'utf8')) as GoldenFlow);
}

export interface Output {
  stdout: string;
  stderr: string;
  rc: number;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const NET_MAC = /(<mac address=')([0-9a-f:]{17})('\/>)/g;

/** Normalise a whole flow's outputs (see the header). */
export function normaliseFlow(outputs: readonly Output[], schemaPath: string): Output[] {
  const uuids = new Map<string, string>();
  const macs = new Map<string, string>();
  const fix = (text: string): string =>
    text
      .replaceAll('/usr/share/libvirt/schemas/network.rng', '<schema>')
      .replaceAll(schemaPath, '<schema>')
      .replace(UUID, (u) => {
        if (!uuids.has(u)) uuids.set(u, `<uuid${uuids.size + 1}>`);
        return uuids.get(u) as string;
      })
      .replace(NET_MAC, (_m, a: string, mac: string, b: string) => {
        if (!macs.has(mac)) macs.set(mac, `<mac${macs.size + 1}>`);
        return `${a}${macs.get(mac) as string}${b}`;
      });
  const version = (text: string): string => (/^\d+\.\d+\.\d+\n$/.test(text) ? '<version>\n' : text);
  return outputs.map((o) => ({ stdout: version(fix(o.stdout)), stderr: fix(o.stderr), rc: o.rc }));
}

/** The environment of a step: the editor script for net-edit steps. */
export function stepEnv(step: GoldenStep): Record<string, string> {
  if (!step.editor) return {};
  const path = join(GOLDEN_EDITORS, step.editor);
  return { VISUAL: path, EDITOR: path };
}
