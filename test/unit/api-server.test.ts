/**
 * virtnetd's HTTP API through fastify's inject(), over the real network
 * driver on the fake runtime: every route reaches its driver method,
 * errors carry libvirt's class and text, bad input gets a 4xx with a plain
 * message, the read-only socket refuses changes with libvirt's text, and
 * TCP needs the token.
 */
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { createApiServer } from '../../src/api/server.js';
import type { ListenerAccess } from '../../src/api/access.js';
import { TcpIdentity } from '../../src/api/tcp-origin.js';
import { VirError } from '../../src/util/errors.js';
import { isolatedXml, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import { type DriverClient, driverClient } from '../support/driver-client.js';

let t: TestDriver;
let driver: DriverClient;
const apps: FastifyInstance[] = [];

/** A network on bridge vb-NAME, with DHCP on 10.7.0.0/24. */
const NET_XML = (name: string): string =>
  isolatedXml(name, {
    bridge: `vb-${name}`,
    extra: "  <ip address='10.7.0.1' netmask='255.255.255.0'>\n    <dhcp><range start='10.7.0.2' end='10.7.0.254'/></dhcp>\n  </ip>\n",
  });

async function server(access: ListenerAccess = { kind: 'unix' }, bodyLimit?: number): Promise<FastifyInstance> {
  const app = await createApiServer({ driver: driver, access, version: '9.9.9', ...(bodyLimit ? { bodyLimit } : {}) });
  apps.push(app);
  return app;
}

// biome-ignore lint/suspicious/noExplicitAny: the tests walk the JSON answers freely; a wrong path fails their assertions
async function call(app: FastifyInstance, opts: InjectOptions): Promise<{ status: number; body: any; raw: string }> {
  const res = await app.inject(opts);
  let body: unknown;
  try {
    body = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, body, raw: res.body };
}

beforeEach(async () => {
  t = await startTestDriver();
  driver = driverClient(t.driver);
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await t.dispose();
});

describe('routes', () => {
  it('defines, looks up, lists, starts, dumps, updates, autostarts, destroys and undefines', async () => {
    const app = await server();
    const def = await call(app, { method: 'POST', url: '/api/networks', payload: { xml: NET_XML('net1') } });
    expect(def.status).toBe(200);
    expect(def.body).toMatchObject({ name: 'net1', active: false, persistent: true, autostart: false, bridge: 'vb-net1' });
    const uuid = def.body.uuid as string;

    expect((await call(app, { url: '/api/networks/net1' })).body).toEqual(def.body);
    expect((await call(app, { url: `/api/network-by-uuid/${uuid}` })).body.name).toBe('net1');
    expect((await call(app, { method: 'POST', url: '/api/networks/net1/start' })).status).toBe(204);
    expect((await call(app, { url: '/api/networks?active=true' })).body.map((n: { name: string }) => n.name)).toEqual(['net1']);
    expect((await call(app, { url: '/api/networks?inactive=true' })).body).toEqual([]);
    expect((await call(app, { url: '/api/networks/net1/xml?inactive=true' })).body).toEqual({
      xml: await t.driver.getXml('net1', { inactive: true }),
    });
    expect(driver.calls.at(-1)).toEqual({ method: 'getXml', args: ['net1', { inactive: true }] });

    const upd = await call(app, {
      method: 'POST',
      url: '/api/networks/net1/update',
      payload: {
        command: 'add-last',
        section: 'ip-dhcp-host',
        parentIndex: -1,
        xml: "<host mac='52:54:00:00:00:01' ip='10.7.0.5'/>",
        flags: { config: true },
      },
    });
    expect(upd).toMatchObject({ status: 200, body: { live: false, config: true } });
    expect(driver.calls.at(-1)?.args[1]).toEqual({
      command: 'add-last',
      section: 'ip-dhcp-host',
      parentIndex: -1,
      xml: "<host mac='52:54:00:00:00:01' ip='10.7.0.5'/>",
      flags: { config: true },
    });

    expect((await call(app, { method: 'PUT', url: '/api/networks/net1/autostart', payload: { autostart: true } })).status).toBe(204);
    expect((await t.driver.lookupByName('net1')).autostart).toBe(true);
    expect((await call(app, { url: '/api/networks/net1/leases?mac=52:54:00:00:00:01' })).body).toEqual([]);
    expect(driver.calls.at(-1)).toEqual({ method: 'leases', args: ['net1', '52:54:00:00:00:01'] });
    expect((await call(app, { method: 'POST', url: '/api/networks/net1/destroy' })).status).toBe(204);
    expect((await call(app, { method: 'DELETE', url: '/api/networks/net1' })).status).toBe(204);
    expect(await t.driver.list()).toEqual([]);
  });

  it('passes define/create --validate and creates transient networks', async () => {
    const app = await server();
    await call(app, { method: 'POST', url: '/api/networks', payload: { xml: NET_XML('a'), validate: true } });
    expect(driver.calls.at(-1)).toEqual({ method: 'define', args: [NET_XML('a'), { validate: true }] });
    const created = await call(app, { method: 'POST', url: '/api/networks/create', payload: { xml: NET_XML('t') } });
    expect(created.body).toMatchObject({ name: 't', active: true, persistent: false });
    expect(driver.calls.at(-1)).toEqual({ method: 'create', args: [NET_XML('t'), { validate: false }] });
  });

  it('decodes network names with any character but /', async () => {
    const app = await server();
    const name = 'we ird%name?#é';
    await t.driver.define(isolatedXml(name));
    const res = await call(app, { url: `/api/networks/${encodeURIComponent(name)}` });
    expect(res.body.name).toBe(name);
    const long = 'n'.repeat(300);
    expect((await call(app, { url: `/api/networks/${long}` })).body.detail).toBe(`no network with matching name '${long}'`);
  });

  it('passes list filters through as booleans', async () => {
    const app = await server();
    await call(app, { url: '/api/networks?persistent=true&noAutostart=false' });
    expect(driver.calls.at(-1)).toEqual({ method: 'list', args: [{ persistent: true, noAutostart: false }] });
  });

  it("never loads fastify's default schema compilers (Ajv's), serving and refusing with its own", async () => {
    const app = await server();
    expect((await call(app, { method: 'POST', url: '/api/networks', payload: { xml: NET_XML('v') } })).status).toBe(200);
    expect((await call(app, { method: 'POST', url: '/api/networks', payload: { xml: 5 } })).status).toBe(400);
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.some((file) => file.includes('/node_modules/fastify/'))).toBe(true);
    expect(loaded.filter((file) => file.includes('/node_modules/@fastify/ajv-compiler/'))).toEqual([]);
  });

  it('answers the version probe', async () => {
    expect((await call(await server(), { url: '/api/version' })).body).toEqual({ name: 'virtnetd', version: '9.9.9', readonly: false });
    expect((await call(await server({ kind: 'unix-ro' }), { url: '/api/version' })).body.readonly).toBe(true);
  });

  it('tells of each request it takes, refused ones too (the idle collector counts them as work)', async () => {
    let taken = 0;
    const app = await createApiServer({ driver, access: { kind: 'unix' }, version: '1', onRequest: () => taken++ });
    apps.push(app);
    expect((await call(app, { url: '/api/version' })).status).toBe(200);
    expect((await call(app, { url: '/api/networks' })).status).toBe(200);
    expect((await call(app, { url: '/api/no-such-route' })).status).toBe(404);
    expect(taken).toBe(3);
  });
});

describe('errors carry libvirt class and text', () => {
  it.each([
    [
      'NO_NETWORK',
      404,
      { url: '/api/networks/nope' },
      "no network with matching name 'nope'",
      "Network not found: no network with matching name 'nope'",
      'network.notFoundByName',
      { name: 'nope' },
    ],
    [
      'OPERATION_INVALID',
      409,
      { method: 'POST', url: '/api/networks/x/destroy' },
      "network 'x' is not active",
      "Requested operation is not valid: network 'x' is not active",
      'network.notActive',
      { name: 'x' },
    ],
  ] as const)('%s → %d', async (cls, status, opts, detail, message, code, params) => {
    const app = await server();
    await t.driver.define(NET_XML('x'));
    const res = await call(app, opts as InjectOptions);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ class: cls, detail, message, code, params });
  });

  it('keeps XML errors from the driver', async () => {
    const app = await server();
    const res = await call(app, { method: 'POST', url: '/api/networks', payload: { xml: '<domain/>' } });
    expect(res).toMatchObject({ status: 400, body: { class: 'XML_ERROR', message: "XML error: expecting root element of 'network', not 'domain'" } });
  });

  it('turns an unexpected failure into INTERNAL_ERROR without leaking its text or stack', async () => {
    const app = await server();
    await t.driver.create(NET_XML('x'));
    t.runtime.failNext('leases', new TypeError('secret /etc/shadow at Object.<anonymous> (file.js:1:1)'));
    const res = await call(app, { url: '/api/networks/x/leases' });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      class: 'INTERNAL_ERROR',
      detail: 'unexpected failure in virtnetd; see its log',
      message: 'internal error: unexpected failure in virtnetd; see its log',
      code: 'daemon.unexpected',
      params: {},
    });
    expect(res.raw).not.toMatch(/secret|stack|file\.js/);
  });

  it('maps each class to a status', async () => {
    const app = await server();
    await t.driver.create(NET_XML('x'));
    for (const [cls, status] of [
      ['CONFIG_UNSUPPORTED', 400],
      ['OPERATION_FAILED', 409],
      ['INTERNAL_ERROR', 500],
      ['NO_SUPPORT', 501],
      ['XML_DETAIL', 400],
    ] as const) {
      t.runtime.failNext('leases', new VirError(cls, 'boom'));
      const res = await call(app, { url: '/api/networks/x/leases' });
      expect([cls, res.status, res.body.class, res.body.detail]).toEqual([cls, status, cls, 'boom']);
    }
  });
});

describe('bad input gets a 4xx with a clear message', () => {
  const cases: [string, InjectOptions, number, string][] = [
    ['xml of the wrong type', { method: 'POST', url: '/api/networks', payload: { xml: 5 } }, 400, 'body/xml must be string'],
    [
      'a string for a boolean',
      { method: 'POST', url: '/api/networks', payload: { xml: 'x', validate: 'true' } },
      400,
      'body/validate must be boolean',
    ],
    [
      'an unknown field',
      { method: 'POST', url: '/api/networks', payload: { xml: 'x', vaildate: true } },
      400,
      "body has an unknown field 'vaildate'",
    ],
    ['a missing field', { method: 'POST', url: '/api/networks', payload: {} }, 400, "body lacks the required field 'xml'"],
    ['a body that is not an object', { method: 'POST', url: '/api/networks', payload: [1] }, 400, 'body must be object'],
    ['no body at all', { method: 'POST', url: '/api/networks' }, 400, 'body must be object'],
    [
      'an unknown update command',
      { method: 'POST', url: '/api/networks/x/update', payload: { command: 'add', section: 'ip', parentIndex: -1, xml: '', flags: {} } },
      400,
      'body/command must be one of "modify", "delete", "add-last", "add-first"',
    ],
    [
      'a fractional parent index',
      { method: 'POST', url: '/api/networks/x/update', payload: { command: 'delete', section: 'ip', parentIndex: 1.5, xml: '', flags: {} } },
      400,
      'body/parentIndex must be integer',
    ],
    ['a non-boolean query flag', { url: '/api/networks?active=yes' }, 400, 'query/active must be boolean'],
    ['an unknown query flag', { url: '/api/networks?running=true' }, 400, "query has an unknown field 'running'"],
    [
      'malformed JSON',
      { method: 'POST', url: '/api/networks', payload: '{"xml": ', headers: { 'content-type': 'application/json' } },
      400,
      "Body is not valid JSON but content-type is set to 'application/json'",
    ],
    [
      'a body that is not JSON',
      { method: 'POST', url: '/api/networks', payload: '<network/>', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported content type: send the request body as application/json',
    ],
    ['an unknown route', { url: '/api/frobnicate' }, 404, 'virtnetd has no route GET /api/frobnicate'],
  ];
  it.each(cases)('%s', async (_label, opts, status, detail) => {
    const app = await server();
    const res = await call(app, opts);
    expect(res.status).toBe(status);
    expect(res.body.detail).toBe(detail);
    expect(res.body.class).toBe(status === 404 ? 'NO_SUPPORT' : 'INVALID_ARG');
    expect(res.raw).not.toMatch(/\bat \w+ \(|node_modules/);
  });

  it('refuses a huge body with 413 before the driver sees it', async () => {
    const app = await server({ kind: 'unix' }, 64 * 1024);
    const res = await call(app, { method: 'POST', url: '/api/networks', payload: { xml: 'x'.repeat(100 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      class: 'INVALID_ARG',
      detail: 'request body is too large (the limit is 65536 bytes)',
      message: 'invalid argument: request body is too large (the limit is 65536 bytes)',
      code: 'class.INVALID_ARG',
      params: { detail: 'request body is too large (the limit is 65536 bytes)' },
    });
    expect(driver.calls).toEqual([]);
  });

  it('never calls the driver for invalid input', async () => {
    const app = await server();
    await call(app, { method: 'POST', url: '/api/networks', payload: { xml: 5 } });
    await call(app, { method: 'PUT', url: '/api/networks/x/autostart', payload: { autostart: 'yes' } });
    expect(driver.calls).toEqual([]);
  });
});

describe('the read-only socket', () => {
  const writes: [string, InjectOptions, string][] = [
    ['define', { method: 'POST', url: '/api/networks', payload: { xml: NET_XML('a') } }, 'virNetworkDefineXML'],
    ['define --validate', { method: 'POST', url: '/api/networks', payload: { xml: NET_XML('a'), validate: true } }, 'virNetworkDefineXMLFlags'],
    ['create', { method: 'POST', url: '/api/networks/create', payload: { xml: NET_XML('a') } }, 'virNetworkCreateXML'],
    [
      'create --validate',
      { method: 'POST', url: '/api/networks/create', payload: { xml: NET_XML('a'), validate: true } },
      'virNetworkCreateXMLFlags',
    ],
    ['start', { method: 'POST', url: '/api/networks/a/start' }, 'virNetworkCreate'],
    ['destroy', { method: 'POST', url: '/api/networks/a/destroy' }, 'virNetworkDestroy'],
    ['undefine', { method: 'DELETE', url: '/api/networks/a' }, 'virNetworkUndefine'],
    ['autostart', { method: 'PUT', url: '/api/networks/a/autostart', payload: { autostart: false } }, 'virNetworkSetAutostart'],
    [
      'update',
      {
        method: 'POST',
        url: '/api/networks/a/update',
        payload: { command: 'delete', section: 'ip-dhcp-host', parentIndex: -1, xml: '<host/>', flags: {} },
      },
      'virNetworkUpdate',
    ],
  ];

  it.each(writes)('refuses %s with libvirt text, before touching the driver', async (_label, opts, api) => {
    const app = await server({ kind: 'unix-ro' });
    const res = await call(app, opts);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      class: 'OPERATION_DENIED',
      detail: `read only access prevents ${api}`,
      message: `operation forbidden: read only access prevents ${api}`,
      code: 'access.readOnly',
      params: { api },
    });
    expect(driver.calls).toEqual([]);
  });

  it('serves every call that changes nothing', async () => {
    const { uuid } = await t.driver.define(NET_XML('a'));
    const app = await server({ kind: 'unix-ro' });
    for (const url of [
      '/api/version',
      '/api/networks',
      '/api/networks/a',
      `/api/network-by-uuid/${uuid}`,
      '/api/networks/a/xml',
      '/api/networks/a/leases',
      '/openapi.json',
    ]) {
      expect([url, (await call(app, { url })).status]).toEqual([url, 200]);
    }
  });
});

/** A loopback TCP listener on port 80: inject's default Host ('localhost:80') names it. */
const identity = new TcpIdentity({ host: '127.0.0.1', port: 80, tls: false });

describe('TCP', () => {
  const token = 'f'.repeat(64);

  it('refuses a request without the token, before reading its body', async () => {
    const app = await server({ kind: 'tcp', token, identity });
    const res = await call(app, { method: 'POST', url: '/api/networks', payload: { xml: 5 } });
    expect(res.status).toBe(401);
    expect(res.body.class).toBe('AUTH_FAILED');
    expect(res.body.message).toMatch(/^authentication failed: virtnetd requires its token on TCP connections/);
    expect(driver.calls).toEqual([]);
  });

  it('refuses a wrong token, and every route needs it, events and OpenAPI included', async () => {
    const app = await server({ kind: 'tcp', token, identity });
    for (const url of ['/api/networks', '/api/events', '/openapi.json', '/api/version']) {
      const res = await call(app, { url, headers: { authorization: `Bearer ${'e'.repeat(64)}` } });
      expect([url, res.status, res.body.detail]).toEqual([
        url,
        401,
        'the token does not match the one virtnetd wrote to its run directory (RUN/token)',
      ]);
    }
  });

  it('serves a request with the token', async () => {
    const app = await server({ kind: 'tcp', token, identity });
    const res = await call(app, {
      method: 'POST',
      url: '/api/networks',
      payload: { xml: NET_XML('a') },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });

  it('serves a client asking for read-only access as the read-only socket does', async () => {
    const app = await server({ kind: 'tcp', token, identity });
    const headers = { authorization: `Bearer ${token}`, 'x-virtnet-readonly': '1' };
    expect((await call(app, { url: '/api/networks', headers })).status).toBe(200);
    const res = await call(app, { method: 'POST', url: '/api/networks/a/start', headers });
    expect(res.body.message).toBe('operation forbidden: read only access prevents virNetworkCreate');
  });

  it('ignores the token on the unix sockets (their file mode guards them)', async () => {
    const app = await server({ kind: 'unix' });
    expect((await call(app, { url: '/api/networks' })).status).toBe(200);
  });
});

describe('OpenAPI', () => {
  it('documents one operation per driver method, with schemas', async () => {
    const app = await server();
    const doc = (await call(app, { url: '/openapi.json' })).body;
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.info.version).toBe('9.9.9');
    const ops = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) =>
      Object.values(p).map((o) => o.operationId),
    );
    expect(ops.sort()).toEqual(
      [
        'addForward',
        'create',
        'dryRun',
        'define',
        'destroy',
        'getXml',
        'leases',
        'list',
        'listForwards',
        'lookupByName',
        'lookupByUuid',
        'portCreate',
        'portDelete',
        'portGetXml',
        'portList',
        'portLookup',
        'removeForward',
        'setAutostart',
        'start',
        'subscribe',
        'undefine',
        'update',
        'version',
      ].sort(),
    );
    const define = doc.paths['/api/networks'].post;
    expect(define.requestBody.content['application/json'].schema).toMatchObject({ required: ['xml'], additionalProperties: false });
    expect(define.responses['4XX'] ?? define.responses['4xx']).toBeDefined();
    expect(doc.paths['/api/networks/{name}'].get.parameters[0]).toMatchObject({ name: 'name', in: 'path', required: true });
  });
});

describe('TCP sessions (the console hook)', () => {
  it('lets a request without the token in when the session check accepts it, and only then', async () => {
    const app = await server({ kind: 'tcp', token: 't'.repeat(64), identity, session: (r) => r.headers.cookie === 'session=ok' });
    expect((await call(app, { url: '/api/networks', headers: { cookie: 'session=ok' } })).status).toBe(200);
    expect((await call(app, { url: '/api/networks', headers: { cookie: 'session=bad' } })).status).toBe(401);
    // A wrong token is refused even with a good session.
    expect((await call(app, { url: '/api/networks', headers: { cookie: 'session=ok', authorization: `Bearer ${'x'.repeat(64)}` } })).status).toBe(
      401,
    );
  });
});
