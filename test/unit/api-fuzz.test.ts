/**
 * Every route of virtnetd, fuzzed (issue 10, point 7): requests with wrong
 * types, missing and unknown fields, hostile names, broken and mutated XML,
 * huge values and odd query strings, through the real network and guest
 * drivers (over the in-memory runtime and guest backend). Whatever the
 * input, the answer is a VirError body ({class, detail, message}, message
 * = libvirt's prefix + detail) and invalid input is a 4xx, never a 5xx.
 * The console's own routes are fuzzed on a TCP listener (with the token),
 * and a check makes sure no route the daemon serves is left out.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../../src/api/server.js';
import { TcpIdentity } from '../../src/api/tcp-origin.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { CONSOLE_ROUTES } from '../../src/contract/console-api.js';
import { ROUTES } from '../../src/client/http-routes.js';
import { GUEST_ROUTES } from '../../src/client/http-guests.js';
import { PORT_ROUTES } from '../../src/client/http-ports.js';
import { TRAFFIC_ROUTES } from '../../src/client/http-traffic.js';
import { ERROR_PREFIXES, type ErrorClass } from '../../src/util/errors.js';
import { guestXml, interfaceXml, startGuestTestDriver, type GuestTestDriver } from '../support/guest-testkit.js';
import { isolatedXml, natXml } from '../support/network-testkit.js';

let t: GuestTestDriver;
let app: FastifyInstance;
/** The same drivers behind a TCP listener, where the console's routes are. */
let tcpApp: FastifyInstance;
const TOKEN = 'f'.repeat(64);

beforeAll(async () => {
  t = await startGuestTestDriver();
  app = await createApiServer({ driver: t.driver, access: { kind: 'unix' }, version: '1.0.0' });
  const identity = new TcpIdentity({ host: '127.0.0.1', port: 80, tls: false });
  tcpApp = await createApiServer({ driver: t.driver, access: { kind: 'tcp', token: TOKEN, identity }, version: '1.0.0' });
  await t.driver.define(natXml('n1', '10.9.1'));
  await t.driver.start('n1');
  await t.driver.define(isolatedXml('n2', { subnet: '10.9.2' }));
  await t.driver.guestDefine(guestXml('g1', { nics: ['network:n1'] }));
});
afterAll(async () => {
  await app.close();
  await tcpApp.close();
  await t.dispose();
});

// ---- inputs ------------------------------------------------------------------

const NETWORK_TEMPLATES = [
  natXml('fz', '10.8.1'),
  isolatedXml('fz', { subnet: '10.8.2' }),
  `<network><name>fz</name><forward mode='route' dev='eth0'/><bridge name='vbr-fz' stp='on' delay='0'/><mac address='52:54:00:0a:0b:0c'/><domain name='example.com' localOnly='yes'/><dns><txt name='t' value='v'/><srv service='s' protocol='tcp' domain='d' target='t' port='1' priority='1' weight='1'/><host ip='10.8.3.5'><hostname>h</hostname></host><forwarder domain='x' addr='8.8.8.8'/></dns><ip address='10.8.3.1' prefix='24'><dhcp><range start='10.8.3.10' end='10.8.3.20'><lease expiry='1' unit='hours'/></range><host mac='52:54:00:00:00:01' name='a' ip='10.8.3.30'/><bootp file='pxe' server='10.8.3.1'/></dhcp><tftp root='/srv/tftp'/></ip><ip family='ipv6' address='fd00::1' prefix='64'><dhcp><range start='fd00::10' end='fd00::20'/></dhcp></ip><route address='10.7.0.0' prefix='16' gateway='10.8.3.2'/><portgroup name='pg' default='yes'><vlan><tag id='3'/></vlan></portgroup></network>`,
  `<network><name>fz</name><forward mode='bridge'/><bridge name='br0'/><virtualport type='openvswitch'/></network>`,
  `<network><name>fz</name><forward mode='hostdev' managed='yes'><pf dev='eth9'/></forward></network>`,
  `<network><name>fz</name><forward mode='nat'><nat ipv6='yes'><address start='1.2.3.4' end='1.2.3.9'/><port start='1000' end='2000'/></nat></forward><ip address='10.8.4.1' netmask='255.255.255.0'/><ip family='ipv6' address='fd01::1' prefix='64'/></network>`,
];
const UPDATE_ELEMENTS = [
  "<host mac='52:54:00:00:00:09' name='b' ip='10.9.1.40'/>",
  "<range start='10.9.1.50' end='10.9.1.60'/>",
  "<host ip='10.9.1.70'><hostname>x</hostname></host>",
  "<txt name='n' value='v'/>",
  "<srv service='s' protocol='udp'/>",
  "<forward mode='nat'/>",
  "<portgroup name='p'/>",
  "<bootp file='f'/>",
];
const GUEST_TEMPLATES = [
  guestXml('gz', { nics: ['network:n1', 'bridge:br0'] }),
  guestXml('gz', { type: 'tap', nics: ['network:n2@52:54:00:aa:bb:cc'] }),
];
const DEVICE_TEMPLATES = [
  interfaceXml('network', 'n1'),
  interfaceXml('bridge', 'vbr-x', { mac: '52:54:00:01:02:03', model: 'e1000', alias: 'ua-x', target: 'vnet7' }),
];

const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '..',
    '.',
    '/',
    'a/b',
    '%2e%2e',
    'a\nb',
    'a\u0000b',
    '-1',
    '1e999',
    "'",
    '"',
    '&',
    '<x/>',
    ']]>',
    '&amp;',
    '&#0;',
    '\uFFFF',
    '\uD800',
  ),
  fc.string({ minLength: 300, maxLength: 300 }).map((s) => s.padEnd(300, 'x')),
  fc.nat({ max: 3 }).map((n) => 'n'.repeat([255, 256, 4096, 70000][n] as number)),
);

/** A template changed the way a fuzzer would: cut, spliced, an attribute value or text replaced, characters inserted. */
function mutatedXml(templates: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...templates), fc.nat(), fc.nat(), hostileText, fc.nat({ max: 5 })).map(([xml, a, b, text, how]) => {
    const i = a % (xml.length + 1);
    const j = b % (xml.length + 1);
    switch (how) {
      case 0:
        return xml.slice(0, i);
      case 1:
        return xml.slice(0, i) + text + xml.slice(i);
      case 2: {
        // Replace one quoted attribute value.
        const values = [...xml.matchAll(/='([^']*)'/g)];
        const v = values[a % Math.max(values.length, 1)];
        return v?.index === undefined ? xml : `${xml.slice(0, v.index)}='${text.replace(/'/g, '&apos;')}'${xml.slice(v.index + v[0].length)}`;
      }
      case 3: {
        const texts = [...xml.matchAll(/>([^<]+)</g)];
        const v = texts[a % Math.max(texts.length, 1)];
        return v?.index === undefined ? xml : `${xml.slice(0, v.index)}>${text.replace(/[<&]/g, '')}<${xml.slice(v.index + v[0].length)}`;
      }
      case 4:
        return xml.slice(0, Math.min(i, j)) + xml.slice(Math.max(i, j));
      default:
        return `<!DOCTYPE x [<!ENTITY e '${text.replace(/'/g, '')}'>]>${xml.replace('<name>', '<name>&e;')}`;
    }
  });
}

const xmlValue = fc.oneof(
  { weight: 3, arbitrary: mutatedXml(NETWORK_TEMPLATES) },
  { weight: 1, arbitrary: mutatedXml(GUEST_TEMPLATES) },
  { weight: 1, arbitrary: mutatedXml(DEVICE_TEMPLATES) },
  { weight: 1, arbitrary: mutatedXml(UPDATE_ELEMENTS) },
  { weight: 1, arbitrary: fc.constantFrom(...NETWORK_TEMPLATES, ...GUEST_TEMPLATES, ...DEVICE_TEMPLATES, ...UPDATE_ELEMENTS) },
  { weight: 1, arbitrary: hostileText },
);

const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constant(Number.MAX_SAFE_INTEGER),
  fc.constant(-1),
);

/** A field: mostly of the right kind, sometimes anything. */
const field = <T>(right: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: anyJson });

/** An object whose fields may be dropped or joined by unknown ones. */
function bodyOf(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const record = fc.record(fields, { requiredKeys: [] });
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          record,
          fc.option(fc.dictionary(fc.constantFrom('extra', 'xmlx', '__proto__', 'constructor'), anyJson, { maxKeys: 1 }), { nil: undefined }),
        )
        .map(([r, extra]) => ({ ...r, ...(extra ?? {}) })),
    },
    { weight: 1, arbitrary: anyJson },
  );
}

const flags = field(fc.record({ live: field(fc.boolean()), config: field(fc.boolean()) }, { requiredKeys: [] }));

const portText = fc.oneof(
  fc.constantFrom('22', '2222', '8000-8010', '8010-8000', '0', '65535', '65536', '1-65535', '-1', '22 ', '0x16'),
  fc.integer({ min: -1, max: 70000 }).map(String),
  hostileText,
);
const networkName = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('n1', 'n2', 'fz', 'missing') }, { weight: 2, arbitrary: hostileText });
const guestName = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('g1', 'gz', 'missing') }, { weight: 2, arbitrary: hostileText });
const uuid = fc.oneof(fc.uuid(), hostileText);
const queryValue = fc.oneof(fc.constantFrom('true', 'false', '1', '0', 'yes', ''), hostileText);
const query = (names: readonly string[]): fc.Arbitrary<string> =>
  fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.constantFrom('bogus', 'mac')), queryValue, { maxKeys: 2 }).map((q) => {
    const text = Object.entries(q as Record<string, string>)
      .map(([k, v]) => `${segment(k)}=${segment(v)}`)
      .join('&');
    return text === '' ? '' : `?${text}`;
  });

interface FuzzRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  body?: unknown;
}

/** A path segment, percent-encoded byte by byte (lone surrogates become U+FFFD, as any client would send them). */
const segment = (text: string): string =>
  [...Buffer.from(text, 'utf8')]
    .map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
const at = (template: string, name: string): string => template.replace(/:(name|uuid)/, segment(name));

const networkRequests: fc.Arbitrary<FuzzRequest>[] = [
  query(['active', 'inactive', 'persistent', 'transient', 'autostart', 'noAutostart']).map((q) => ({ method: 'GET', url: ROUTES.networks + q })),
  bodyOf({ xml: field(xmlValue), validate: field(fc.boolean()) }).map((body) => ({ method: 'POST', url: ROUTES.networks, body })),
  bodyOf({ xml: field(xmlValue), validate: field(fc.boolean()) }).map((body) => ({ method: 'POST', url: ROUTES.create, body })),
  uuid.map((u) => ({ method: 'GET', url: at(ROUTES.byUuid, u) })),
  networkName.map((n) => ({ method: 'GET', url: at(ROUTES.network, n) })),
  fc.tuple(networkName, query(['force'])).map(([n, q]) => ({ method: 'DELETE', url: at(ROUTES.network, n) + q })),
  networkName.map((n) => ({ method: 'POST', url: at(ROUTES.start, n) })),
  fc.tuple(networkName, query(['force'])).map(([n, q]) => ({ method: 'POST', url: at(ROUTES.destroy, n) + q })),
  fc.tuple(networkName, bodyOf({ autostart: field(fc.boolean()) })).map(([n, body]) => ({ method: 'PUT', url: at(ROUTES.autostart, n), body })),
  fc.tuple(networkName, query(['inactive'])).map(([n, q]) => ({ method: 'GET', url: at(ROUTES.xml, n) + q })),
  fc
    .tuple(
      networkName,
      bodyOf({
        command: field(fc.constantFrom('add', 'add-first', 'add-last', 'delete', 'modify', 'bogus')),
        section: field(
          fc.constantFrom(
            'ip-dhcp-host',
            'ip-dhcp-range',
            'dns-host',
            'dns-txt',
            'dns-srv',
            'forward',
            'portgroup',
            'bridge',
            'domain',
            'ip',
            'bogus',
          ),
        ),
        parentIndex: field(fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constant(2 ** 31), fc.constant(1e300))),
        xml: field(xmlValue),
        flags,
      }),
    )
    .map(([n, body]) => ({ method: 'POST', url: at(ROUTES.update, n), body })),
  fc.tuple(networkName, query(['mac'])).map(([n, q]) => ({ method: 'GET', url: at(ROUTES.leases, n) + q })),
  fc.tuple(networkName, query(['inactive'])).map(([n, q]) => ({ method: 'GET', url: at(ROUTES.forwards, n) + q })),
  fc
    .tuple(
      networkName,
      bodyOf({
        forward: field(
          bodyOf({
            proto: field(fc.constantFrom('tcp', 'udp', 'both', 'sctp', '')),
            address: field(fc.oneof(fc.constantFrom('0.0.0.0', '10.9.1.1', '127.0.0.1', '::1', '256.1.1.1'), hostileText)),
            port: field(portText),
            to: field(fc.oneof(fc.constantFrom('10.9.1.5', '10.9.2.5', 'g1', 'gz', 'missing'), hostileText)),
            toPort: field(portText),
            toAddress: field(fc.oneof(fc.constant('10.9.1.6'), hostileText)),
          }),
        ),
        flags,
      }),
    )
    .map(([n, body]) => ({ method: 'POST', url: at(ROUTES.forwards, n), body })),
  fc
    .tuple(networkName, query(['port', 'proto', 'address', 'live', 'config']))
    .map(([n, q]) => ({ method: 'DELETE', url: at(ROUTES.forwards, n) + q })),
  fc
    .oneof(
      fc.record({ action: fc.constantFrom('start', 'bogus'), name: networkName }),
      bodyOf({ action: field(fc.constant('create')), xml: field(xmlValue), validate: field(fc.boolean()) }),
      fc.record({
        action: fc.constant('update'),
        name: networkName,
        update: bodyOf({
          command: field(fc.constantFrom('add', 'delete', 'bogus')),
          section: field(fc.constantFrom('ip-dhcp-host', 'dns-host', 'bogus')),
          parentIndex: field(fc.integer({ min: -2, max: 3 })),
          xml: field(xmlValue),
          flags,
        }),
      }),
    )
    .map((body) => ({ method: 'POST', url: ROUTES.dryRun, body })),
  // Paths that are not percent-encoded UTF-8.
  fc
    .tuple(fc.constantFrom('%ff', '%E0%A4', '%', '%00', '%C0%AF'), fc.constantFrom('', '/start', '/xml'))
    .map(([raw, tail]) => ({ method: tail === '/start' ? 'POST' : 'GET', url: `${ROUTES.networks}/${raw}${tail}` })),
];

const guestRequests: fc.Arbitrary<FuzzRequest>[] = [
  query(['active', 'inactive']).map((q) => ({ method: 'GET', url: GUEST_ROUTES.guests + q })),
  bodyOf({ xml: field(xmlValue) }).map((body) => ({ method: 'POST', url: GUEST_ROUTES.guests, body })),
  uuid.map((u) => ({ method: 'GET', url: at(GUEST_ROUTES.guestByUuid, u) })),
  guestName.map((n) => ({ method: 'GET', url: at(GUEST_ROUTES.guest, n) })),
  guestName.map((n) => ({ method: 'DELETE', url: at(GUEST_ROUTES.guest, n) })),
  guestName.map((n) => ({ method: 'POST', url: at(GUEST_ROUTES.guestStart, n) })),
  guestName.map((n) => ({ method: 'POST', url: at(GUEST_ROUTES.guestDestroy, n) })),
  fc.tuple(guestName, query(['inactive'])).map(([n, q]) => ({ method: 'GET', url: at(GUEST_ROUTES.guestXml, n) + q })),
  fc.tuple(guestName, query(['inactive'])).map(([n, q]) => ({ method: 'GET', url: at(GUEST_ROUTES.guestInterfaces, n) + q })),
  guestName.map((n) => ({ method: 'GET', url: at(GUEST_ROUTES.guestAddresses, n) })),
  fc.tuple(guestName, bodyOf({ xml: field(xmlValue), flags })).map(([n, body]) => ({ method: 'POST', url: at(GUEST_ROUTES.guestAttach, n), body })),
  fc.tuple(guestName, bodyOf({ xml: field(xmlValue), flags })).map(([n, body]) => ({ method: 'POST', url: at(GUEST_ROUTES.guestDetach, n), body })),
  fc
    .tuple(guestName, bodyOf({ argv: field(fc.array(hostileText, { maxLength: 3 })) }))
    .map(([n, body]) => ({ method: 'POST', url: at(GUEST_ROUTES.guestExec, n), body })),
  query(['bridge']).map((q) => ({ method: 'GET', url: GUEST_ROUTES.bridges + q })),
];

/** libvirt's network port API over REST (net-port-*). */
const portUuid = fc.oneof(uuid, hostileText);
const portRequests: fc.Arbitrary<FuzzRequest>[] = [
  networkName.map((n) => ({ method: 'GET', url: at(PORT_ROUTES.ports, n) })),
  fc
    .tuple(networkName, bodyOf({ xml: field(xmlValue), reclaim: field(fc.boolean()) }))
    .map(([n, body]) => ({ method: 'POST', url: at(PORT_ROUTES.ports, n), body })),
  fc.tuple(networkName, portUuid).map(([n, u]) => ({ method: 'GET', url: at(at(PORT_ROUTES.port, n), u) })),
  fc.tuple(networkName, portUuid).map(([n, u]) => ({ method: 'DELETE', url: at(at(PORT_ROUTES.port, n), u) })),
  fc.tuple(networkName, portUuid).map(([n, u]) => ({ method: 'GET', url: at(at(PORT_ROUTES.portXml, n), u) })),
];

/** Traffic: a network's counters, a vNIC's (domifstat). */
const trafficRequests: fc.Arbitrary<FuzzRequest>[] = [
  networkName.map((n) => ({ method: 'GET', url: at(TRAFFIC_ROUTES.networkTraffic, n) })),
  fc
    .tuple(guestName, fc.oneof(fc.constantFrom('vnet0', 'vnet1', '52:54:00:00:00:01'), hostileText))
    .map(([g, i]) => ({ method: 'GET', url: TRAFFIC_ROUTES.interfaceStats.replace(':name', segment(g)).replace(':iface', segment(i)) })),
];

/** A network's model (NetworkDef as JSON, as the console sends it) with one value replaced or one field dropped. */
const NETWORK_MODELS = NETWORK_TEMPLATES.map((xml) => JSON.parse(JSON.stringify(parseNetworkXml(xml))) as unknown);
function leafPaths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [at];
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
  return [at, ...entries.flatMap(([k, x]) => leafPaths(x, [...at, k]))];
}
const mutatedModel = fc
  .tuple(fc.constantFrom(...NETWORK_MODELS), fc.nat(), fc.oneof(anyJson, hostileText), fc.boolean())
  .map(([model, pick, value, drop]) => {
    const copy = structuredClone(model) as Record<string | number, unknown>;
    const paths = leafPaths(copy).filter((p) => p.length > 0);
    const path = paths[pick % paths.length] ?? [];
    let holder: Record<string | number, unknown> = copy;
    for (const k of path.slice(0, -1)) holder = holder[k] as Record<string | number, unknown>;
    const last = path[path.length - 1] as string | number;
    if (drop) delete holder[last];
    else holder[last] = value;
    return copy as unknown;
  });

const otherRequests: fc.Arbitrary<FuzzRequest>[] = [
  fc.constant({ method: 'GET', url: ROUTES.version }),
  query(['bogus']).map((q) => ({ method: 'GET', url: CONSOLE_ROUTES.session + q })),
  query(['bogus']).map((q) => ({ method: 'GET', url: CONSOLE_ROUTES.networks + q })),
  networkName.map((n) => ({ method: 'GET', url: at(CONSOLE_ROUTES.network, n) })),
  fc.constant({ method: 'GET', url: CONSOLE_ROUTES.guests }),
  fc.constant({ method: 'GET', url: CONSOLE_ROUTES.host }),
  fc.constant({ method: 'GET', url: CONSOLE_ROUTES.ovnHosts }),
  bodyOf({ token: field(fc.oneof(fc.constant(TOKEN), hostileText)) }).map((body) => ({ method: 'POST', url: CONSOLE_ROUTES.login, body })),
  fc.constant({ method: 'POST', url: CONSOLE_ROUTES.logout }),
  bodyOf({ xml: field(xmlValue), name: field(networkName) }).map((body) => ({ method: 'POST', url: CONSOLE_ROUTES.checkNetwork, body })),
  bodyOf({ def: field(mutatedModel) }).map((body) => ({ method: 'POST', url: CONSOLE_ROUTES.defineModel, body })),
];

const anyRequest = fc.oneof(...networkRequests, ...guestRequests, ...portRequests, ...trafficRequests);
const consoleRequest = fc.oneof(...otherRequests);

// ---- the property ------------------------------------------------------------------

interface Answer {
  status: number;
  body: unknown;
}

async function send(r: FuzzRequest, to: FastifyInstance = app): Promise<Answer> {
  const auth = to === tcpApp ? { authorization: `Bearer ${TOKEN}` } : {};
  const res = await to.inject({
    method: r.method,
    url: r.url,
    headers: { ...auth, ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(r.body !== undefined ? { payload: JSON.stringify(r.body) } : {}),
  });
  let body: unknown;
  try {
    body = res.body === '' ? undefined : JSON.parse(res.body);
  } catch {
    body = res.body;
  }
  return { status: res.statusCode, body };
}

function isVirErrorBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as { class?: unknown; detail?: unknown; message?: unknown };
  return (
    typeof b.class === 'string' &&
    b.class in ERROR_PREFIXES &&
    typeof b.detail === 'string' &&
    b.message === ERROR_PREFIXES[b.class as ErrorClass] + b.detail
  );
}

describe('every route, fuzzed', () => {
  it('answers every request with success or a 4xx VirError, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(anyRequest, async (r) => {
        const a = await send(r);
        if (a.status >= 200 && a.status < 300) return;
        expect({ request: r, status: a.status < 500, virError: isVirErrorBody(a.body) }).toEqual({ request: r, status: true, virError: true });
      }),
      {
        numRuns: Number(process.env['VIRTNET_FUZZ_RUNS'] ?? 2000),
        ...(process.env['VIRTNET_FUZZ_SEED'] ? { seed: Number(process.env['VIRTNET_FUZZ_SEED']) } : {}),
      },
    );
  }, 120_000);

  it("answers every request to the console's routes (on the TCP listener, with the token) with success or a 4xx VirError", async () => {
    await fc.assert(
      fc.asyncProperty(consoleRequest, async (r) => {
        const a = await send(r, tcpApp);
        if (a.status >= 200 && a.status < 300) return;
        expect({ request: r, status: a.status < 500, virError: isVirErrorBody(a.body) }).toEqual({ request: r, status: true, virError: true });
      }),
      {
        numRuns: Number(process.env['VIRTNET_FUZZ_RUNS'] ?? 1000),
        ...(process.env['VIRTNET_FUZZ_SEED'] ? { seed: Number(process.env['VIRTNET_FUZZ_SEED']) } : {}),
      },
    );
  }, 120_000);

  it('leaves out no route the daemon serves (but the event stream)', () => {
    // Every METHOD PATH under /api/ of the TCP listener (a superset of the unix sockets'), from fastify's own route tree.
    const served: string[] = [];
    const stack: string[] = [];
    for (const line of tcpApp.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /^((?:[│ ] {3})*)[├└]── (\S+) \(([^)]*)\)/.exec(line);
      if (!m) continue;
      const depth = (m[1] ?? '').length / 4;
      stack.length = depth;
      const path = (stack[depth - 1] ?? '') + m[2];
      stack.push(path);
      for (const method of (m[3] ?? '').split(', ')) if (method !== 'HEAD' && path.startsWith('/api/')) served.push(`${method} ${path}`);
    }
    expect(served).toContain('POST /api/networks/:name/forwards');
    const sampled = [...fc.sample(anyRequest, 4000), ...fc.sample(consoleRequest, 500)].map((r) => `${r.method} ${r.url.split('?')[0]}`);
    const pattern = (route: string): RegExp => new RegExp(`^${route.replace(/:(name|uuid|iface)/g, '[^/]+')}$`);
    const missing = served.filter((route) => route !== `GET ${ROUTES.events}` && !sampled.some((s) => pattern(route).test(s)));
    expect(missing).toEqual([]);
  });
});
