/**
 * What the connection-level queries answer about the host: libvirt's
 * architecture name, a host capabilities document (no guests: virtnet runs
 * no hypervisor; enough for virt-manager to accept the connection), and
 * virNodeGetInfo's figures. Read when asked, from node:os and
 * /etc/machine-id.
 */
import { readFileSync } from 'node:fs';
import { arch, cpus, endianness, totalmem } from 'node:os';
import { escapeXml } from '../xml/escape.js';

const ARCH_NAMES: Record<string, string> = {
  x64: 'x86_64',
  ia32: 'i686',
  arm64: 'aarch64',
  arm: 'armv7l',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loongarch64',
  mips: 'mips',
  mipsel: 'mipsel',
};

/** The host's architecture as libvirt names it (x86_64, aarch64, ppc64le…). */
function libvirtArch(nodeArch: string = arch(), byteOrder: 'BE' | 'LE' = endianness()): string {
  if (nodeArch === 'ppc64') return byteOrder === 'LE' ? 'ppc64le' : 'ppc64';
  return ARCH_NAMES[nodeArch] ?? nodeArch;
}

/** The host uuid: /etc/machine-id in uuid form, or undefined when it cannot be read. */
function hostUuid(machineIdPath = '/etc/machine-id'): string | undefined {
  let id: string;
  try {
    id = readFileSync(machineIdPath, 'utf8').trim().toLowerCase();
  } catch {
    return undefined;
  }
  if (!/^[0-9a-f]{32}$/.test(id)) return undefined;
  return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
}

/** virConnectGetCapabilities: the host part only, in libvirt's layout. */
export function capabilitiesXml(archName: string = libvirtArch(), uuid: string | undefined = hostUuid()): string {
  const lines = ['<capabilities>', '', '  <host>'];
  if (uuid !== undefined) lines.push(`    <uuid>${uuid}</uuid>`);
  lines.push(
    '    <cpu>',
    `      <arch>${escapeXml(archName)}</arch>`,
    '    </cpu>',
    '    <power_management/>',
    "    <iommu support='no'/>",
    '  </host>',
    '',
    '</capabilities>',
    '',
  );
  return lines.join('\n');
}

interface NodeInfo {
  /** The CPU model: libvirt puts the architecture name here. */
  model: string;
  /** KiB */
  memory: bigint;
  cpus: number;
  mhz: number;
  nodes: number;
  sockets: number;
  cores: number;
  threads: number;
}

export function nodeInfo(): NodeInfo {
  const list = cpus();
  return {
    model: libvirtArch(),
    memory: BigInt(Math.floor(totalmem() / 1024)),
    cpus: list.length,
    mhz: Math.round(list[0]?.speed ?? 0),
    nodes: 1,
    sockets: 1,
    cores: list.length,
    threads: 1,
  };
}

/** `char model[32]`: the characters as XDR ints, NUL-padded (and NUL-terminated, so at most 31). */
export function modelChars(model: string): number[] {
  const bytes = Buffer.from(model, 'utf8').subarray(0, 31);
  const out = new Array<number>(32).fill(0);
  bytes.forEach((b, i) => {
    out[i] = b >= 0x80 ? b - 0x100 : b;
  });
  return out;
}
