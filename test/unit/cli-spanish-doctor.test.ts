/**
 * `virtnet doctor`, the dry runs, `ovn-host-setup` and `lab` under a Spanish
 * locale: the report's frame, every finding (title, evidence, fix, said from
 * the phrases the daemon sends), the dry run's sections and the lab's lines
 * in Spanish; under LC_ALL=C the same English as before.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import type { DoctorReport } from '../../src/contract/doctor-api.js';
import type { HostChanges } from '../../src/contract/host-changes.js';
import { sayPhrase } from '../../src/contract/phrase.js';
import { PHRASES_ES } from '../../src/contract/phrases-es.js';
import { hostChangesText } from '../../src/cli/host-changes-text.js';
import { ENGLISH, loadTranslator } from '../../src/cli/i18n/translate.js';
import { runCli } from '../../src/cli/run-cli.js';
import type { VirtnetClient } from '../../src/client/types.js';
import { describeFix, fixSaid, planFixes } from '../../src/doctor/fixes.js';
import { type HostView, hostChecks } from '../../src/doctor/host-checks.js';
import { planHostSetup } from '../../src/ovn/host-setup.js';
import { driverClient } from '../support/driver-client.js';
import { countingRandomness, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import { GOLDEN_XML_DIR } from './cli-golden-harness.js';

const SPANISH = { LANG: 'es_ES.UTF-8' };
const C_LOCALE = { LANG: 'es_ES.UTF-8', LC_ALL: 'C' };

interface Out {
  stdout: string;
  stderr: string;
  rc: number;
}

async function run(client: VirtnetClient | undefined, args: string[], env: Record<string, string>): Promise<Out> {
  let stdout = '';
  let stderr = '';
  const rc = await runCli(args, {
    io: { out: (t) => (stdout += t), err: (t) => (stderr += t), stdinIsTTY: false },
    connect: async () => {
      if (client === undefined) throw new Error('this test has no daemon');
      return client;
    },
    env: { PATH: process.env['PATH'], ...env },
    cwd: GOLDEN_XML_DIR,
  });
  return { stdout, stderr, rc };
}

const NAT = parseNetworkXml(
  `<network><name>n1</name><forward mode='nat'/><bridge name='virbr1'/><ip address='192.168.150.1' prefix='24'><dhcp><range start='192.168.150.2' end='192.168.150.9'/></dhcp></ip></network>`,
);

/** A host where n1 cannot route (ip_forward off), its dnsmasq is gone, and named holds port 53. */
function brokenHost(): HostView {
  const sysctls: Record<string, string> = { 'net/ipv4/ip_forward': '0', 'net/ipv4/conf/all/rp_filter': '0' };
  return {
    networks: [{ def: NAT, bridge: 'virbr1', uplink: 'eth0', dnsmasqRunning: false }],
    sysctl: (k) => sysctls[k],
    iptables: [],
    foreignNft: [],
    links: [
      { index: 2, name: 'eth0', mac: '', mtu: 1500, operstate: 'UP', up: true, flags: [], linkType: 'ether' },
      { index: 3, name: 'virbr1', kind: 'bridge', mac: '', mtu: 1500, operstate: 'UP', up: true, flags: [], linkType: 'ether' },
    ],
    routes: [{ family: 'ipv4', dst: '0.0.0.0', prefix: 0, dev: 'eth0', gateway: '10.0.0.1', type: 'unicast' }],
    listeners: [{ proto: 'udp', address: '0.0.0.0', port: 53, program: 'named', pid: 77 }],
    features: { bridge: true, nftables: true, nat: false },
    dnsmasqPids: new Map([['n1', 42]]),
  };
}

/** A client whose daemon answers doctor with `report` (as it comes over the API: JSON). */
function doctorClient(report: DoctorReport): VirtnetClient {
  const wire = (): DoctorReport => JSON.parse(JSON.stringify(report)) as DoctorReport;
  return { doctorReport: async () => wire(), close: async () => {} } as unknown as VirtnetClient;
}

/** A client whose daemon applies and takes back the fixes the broken host calls for. */
function fixingClient(): VirtnetClient {
  const fixes = planFixes(brokenHost());
  const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  return {
    doctorFix: async () => wire({ applied: fixes.map(describeFix), appliedPhrases: fixes.map(fixSaid), report: report() }),
    doctorUndo: async () => wire({ undone: fixes.map(describeFix), undonePhrases: fixes.map(fixSaid) }),
    close: async () => {},
  } as unknown as VirtnetClient;
}

const report = (): DoctorReport => {
  const findings = hostChecks(brokenHost());
  return { findings, failed: true, fixesRecorded: ['sysctl -w net.ipv4.ip_forward=1'] };
};

describe('virtnet doctor under a Spanish locale', () => {
  it("says the report's frame and every finding in Spanish", async () => {
    const out = await run(doctorClient(report()), ['doctor'], SPANISH);
    expect(out.rc).toBe(1);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toBe('Comprobaciones del equipo:');
    expect(lines).toContain('  [FALLA  ] kernel-feature-missing  funciones del núcleo: a este núcleo le falta nat');
    expect(lines).toContain(
      '                                    arreglo: carga los módulos (nf_tables, nft_nat/nft_masq, nft_fib, bridge) o usa un núcleo compilado con ellos',
    );
    expect(lines).toContain('  [FALLA  ] ip-forward-off          reenvío: net.ipv4.ip_forward=0, así que n1 no puede encaminar');
    expect(lines).toContain(
      "  [FALLA  ] dnsmasq-down            dnsmasq, red 'n1': no hay ningún dnsmasq en marcha para n1 (el pid 42 ya no existe): sus invitados no reciben concesión DHCP ni DNS",
    );
    expect(lines).toContain(
      '  [FALLA  ] dns-port-taken          puerto 53 de DNS: named (pid 77) escucha en udp 0.0.0.0:53: el dnsmasq de las redes no puede responder ahí a DNS',
    );
    expect(lines).toContain("  [bien   ] route-overlap           rutas, red 'n1': 192.168.150.1/24 se encamina solo a virbr1");
    expect(lines).toContain('  [omitida] rp-filter-strict        filtro de ruta inversa: ninguna red activa encaminada o abierta');
    expect(lines.slice(-4)).toEqual([
      '  5 bien, 0 avisos, 4 fallidas, 1 omitidas',
      '  1 arreglo(s) aplicado(s) por doctor --fix; virtnet doctor --undo los retira',
      '',
      '',
    ]);
    // Nothing of the findings is left in English.
    expect(out.stdout).not.toMatch(/\b(the|is|no dnsmasq runs|cannot|fix:|skipped)\b/);
  });

  it('prints the same English as before under LC_ALL=C', async () => {
    const out = await run(doctorClient(report()), ['doctor'], C_LOCALE);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toBe('Host checks:');
    expect(lines).toContain('  [FAIL] ip-forward-off          forwarding: net.ipv4.ip_forward=0, so n1 cannot route');
    expect(lines).toContain('                                 fix: virtnet doctor --fix (sysctl -w net.ipv4.ip_forward=1)');
    expect(lines).toContain(
      "  [FAIL] dns-port-taken          DNS port 53: named (pid 77) listens on udp 0.0.0.0:53: the networks' dnsmasq cannot answer DNS there",
    );
    expect(lines).toContain('  [skip] rp-filter-strict        reverse path filter: no running routed or open network');
    expect(lines.slice(-4, -2)).toEqual([
      '  5 ok, 0 warnings, 4 failed, 1 skipped',
      '  1 fix(es) applied by doctor --fix; virtnet doctor --undo takes them back',
    ]);
  });

  it('--fix and --undo say the fixes in Spanish; the commands stay as typed', async () => {
    const fixed = await run(fixingClient(), ['doctor', '--fix'], SPANISH);
    expect(fixed.stdout.split('\n')[0]).toBe('arreglado: sysctl -w net.ipv4.ip_forward=1 (antes 0)');
    const undone = await run(fixingClient(), ['doctor', '--undo'], SPANISH);
    expect(undone.stdout).toBe('deshecho: sysctl -w net.ipv4.ip_forward=1 (antes 0)\n\n');
    const en = await run(fixingClient(), ['doctor', '--undo'], C_LOCALE);
    expect(en.stdout).toBe('undone: sysctl -w net.ipv4.ip_forward=1 (was 0)\n\n');
  });

  it('every finding carries phrases that say, in English, exactly its text', () => {
    for (const f of hostChecks(brokenHost())) {
      expect(sayPhrase(f.phrases!.title!)).toBe(f.title);
      if (f.fix !== undefined) expect(sayPhrase(f.phrases!.fix!)).toBe(f.fix);
      // The MTU's "virbr1 1500 ≤ eth0 1500" has no words to translate.
      if (f.code === 'mtu-above-uplink') continue;
      expect(sayPhrase(f.phrases!.evidence!)).toBe(f.evidence);
      expect(sayPhrase(f.phrases!.evidence!, PHRASES_ES)).not.toBe(f.evidence);
    }
  });

  it('doctor --ovn without an Open vSwitch database: the checks and their skips in Spanish, the error as it came', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vnt-es-ovn-'));
    try {
      const out = await run(undefined, ['doctor', '--ovn', '--ovs-db', `unix:${dir}/db.sock`, '--ovs-rundir', dir], SPANISH);
      expect(out.rc).toBe(1);
      const lines = out.stdout.split('\n');
      expect(lines[0]).toBe('OVN en este equipo:');
      // What the connection said is the library's error, not a phrase: it stays as it came.
      expect(lines[1]).toMatch(/^ {2}\[FALLA {2}\] OVN-OVSDB {9}base de datos de Open vSwitch: cannot connect to the OVSDB server at /);
      expect(lines[2]).toBe(`${' '.repeat(30)}arreglo: arranca ovsdb-server y ovs-vswitchd (openvswitch-switch), o indica el socket con --ovs-db`);
      expect(lines).toContain('  [omitida] OVN-DATAPATH      datapath: no hay base de datos de Open vSwitch');
      expect(lines).toContain('  [omitida] OVN-REGISTERED    chassis registrado: no hay base de datos southbound o no hay system-id');
      expect(lines.at(-3)).toBe('  0 bien, 0 avisos, 1 fallidas, 9 omitidas');
      const en = await run(undefined, ['doctor', '--ovn', '--ovs-db', `unix:${dir}/db.sock`, '--ovs-rundir', dir], C_LOCALE);
      expect(en.stdout.split('\n')).toContain('  [skip] OVN-DATAPATH      datapath: no Open vSwitch database');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const drivers: TestDriver[] = [];
afterEach(async () => {
  for (const t of drivers.splice(0)) await t.dispose();
});

const CHANGES: HostChanges = {
  network: 'n1',
  action: 'start',
  links: ['ip link add name virbr1 type bridge'],
  sysctls: [
    { key: 'net.ipv4.ip_forward', value: '1', now: '0' },
    { key: 'net.ipv6.conf.virbr1.disable_ipv6', value: '1' },
    { key: 'net.ipv4.conf.all.rp_filter', value: '2', now: '2' },
  ],
  nftables: ['{"add":{"table":{"family":"inet","name":"virtnet"}}}'],
  files: [
    { path: '/var/lib/virtnet/dnsmasq/n1.conf', content: 'strict-order\n' },
    { path: '/var/lib/virtnet/dnsmasq/n1.addnhosts', content: '' },
  ],
  processes: ['dnsmasq --conf-file=/var/lib/virtnet/dnsmasq/n1.conf'],
};

describe('dry runs under a Spanish locale', () => {
  it('net-start --dry-run says what would change in Spanish, and in English under LC_ALL=C', async () => {
    const t = await startTestDriver({ random: countingRandomness() });
    drivers.push(t);
    const client = driverClient(t.driver);
    expect((await run(client, ['net-define', 'isolated.xml'], SPANISH)).rc).toBe(0);
    const es = await run(client, ['net-start', '--dry-run', 'isolated'], SPANISH);
    expect(es.stdout).toMatch(
      /^Iniciar la red isolated cambiaría en el equipo \(simulación, no se ha cambiado nada\):\n\nEnlaces y direcciones:\n {2}ip link add name virbr\d+ type bridge\n/,
    );
    const en = await run(client, ['net-start', '--dry-run', 'isolated'], C_LOCALE);
    expect(en.stdout).toMatch(/^Starting network isolated would change on the host \(dry run, nothing changed\):\n\nLinks:\n/);
    expect(await client.lookupByName('isolated')).toMatchObject({ active: false });
  });

  it('every section of a dry run in Spanish; a dry run that changes nothing', async () => {
    const es = await loadTranslator('es');
    expect(hostChangesText(es, { ...CHANGES, nftCheck: 'ok' }).split('\n')).toEqual([
      'Iniciar la red n1 cambiaría en el equipo (simulación, no se ha cambiado nada):',
      '',
      'Enlaces y direcciones:',
      '  ip link add name virbr1 type bridge',
      '',
      'Sysctls:',
      '  net.ipv4.ip_forward = 1 (ahora 0)',
      '  net.ipv6.conf.virbr1.disable_ipv6 = 1',
      '  net.ipv4.conf.all.rp_filter = 2 (ya lo está)',
      '',
      'Lote de nftables (nft -c: ok):',
      '  {"add":{"table":{"family":"inet","name":"virtnet"}}}',
      '',
      'Archivos:',
      '  /var/lib/virtnet/dnsmasq/n1.conf:',
      '    strict-order',
      '  /var/lib/virtnet/dnsmasq/n1.addnhosts:',
      '    (vacío)',
      '',
      'Procesos:',
      '  dnsmasq --conf-file=/var/lib/virtnet/dnsmasq/n1.conf',
      '',
    ]);
    expect(hostChangesText(es, CHANGES)).toContain('\nLote de nftables (nft -c: sin comprobar):\n');
    expect(hostChangesText(ENGLISH, CHANGES)).toContain('\nnftables batch (nft -c: not checked):\n');
    const nothing = { ...CHANGES, action: 'update' as const, links: [], sysctls: [], nftables: [], files: [], processes: [], config: true };
    expect(hostChangesText(es, nothing)).toBe('Actualizar la red n1 no cambiaría nada en el equipo (cambiaría su definición guardada)\n');
    expect(hostChangesText(ENGLISH, nothing)).toBe('Updating network n1 would change nothing on the host (its saved definition would change)\n');
    expect(hostChangesText(es, { ...CHANGES, action: 'update', config: true })).toMatch(/\n\nTambién cambiaría la definición guardada\.\n$/);
  });
});

describe('ovn-host-setup and lab under a Spanish locale', () => {
  it("says ovn-host-setup's steps in Spanish", async () => {
    const es = await loadTranslator('es');
    const plan = planHostSetup(
      {
        encapIp: '10.0.0.2',
        encapType: 'geneve',
        remote: 'tcp:10.0.0.1:6642',
        systemId: 'h1',
        datapath: 'netdev',
        bridgeMappings: [{ physnet: 'uplink', bridge: 'br-uplink', nic: 'eth1' }],
        underlayNic: 'eth0',
        encapPrefix: 24,
      },
      { kernelDatapath: false, underlayMtu: 1500 },
    );
    expect(plan.summary.map((p) => es.say(p))).toEqual([
      'datapath: espacio de usuario (netdev): el núcleo no tiene el módulo openvswitch',
      "chassis 'h1', túneles geneve desde 10.0.0.2, southbound tcp:10.0.0.1:6642",
      'MTU de la red superpuesta 1442 (red subyacente 1500 - 58)',
      'puente de integración br-int',
      'red subyacente: eth0 pasa a ser un puerto de br-phy, que lleva 10.0.0.2/24; arp_ignore=1 e IPv6 desactivado en eth0',
      "red física 'uplink' en br-uplink (puerto eth1)",
    ]);
    expect(plan.summary.map((p) => ENGLISH.say(p))[4]).toBe(
      'underlay: eth0 becomes a port of br-phy, which carries 10.0.0.2/24; arp_ignore=1 and IPv6 off on eth0',
    );
  });

  it('lab status describes the lab in Spanish', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vnt-es-lab-'));
    try {
      const state = { version: 1, dir, prefix: 'x', hosts: 2, namespaces: [], daemons: [], virtnetds: [], ready: false, timings: {} };
      writeFileSync(join(dir, 'lab.json'), JSON.stringify(state));
      const es = await run(undefined, ['lab', 'status', '--dir', dir], SPANISH);
      const lines = es.stdout.split('\n');
      expect(lines[0]).toMatch(new RegExp(`^laboratorio \\S+ en ${dir}: no está listo \\(un arranque falló o está en curso\\)$`));
      expect(lines[3]).toMatch(/^ {2}uplink: {5}\S+ en el espacio de nombres \S+, red física 'uplink' en cada equipo$/);
      expect(lines[4]).toMatch(/^ {2}h1: chassis h1, túnel \S+, espacio de nombres \S+$/);
      expect(lines[6]).toMatch(/^ {2}comprobar un equipo: ip netns exec \S+ virtnet doctor --ovn /);
      const en = await run(undefined, ['lab', 'status', '--dir', dir], C_LOCALE);
      expect(en.stdout.split('\n')[4]).toMatch(/^ {2}h1: chassis h1, tunnel \S+, namespace \S+$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
