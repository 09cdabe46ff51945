/**
 * The console's server side through fastify's inject(), over the real
 * network driver on the fake runtime: the TCP listener serves the built
 * console to anyone, the daemon's token buys a session cookie (HttpOnly,
 * SameSite=Strict), the cookie opens the API, a change needs the session's CSRF token and no
 * foreign Origin, logout ends it, and the XML check answers as net-define
 * would. The unix sockets serve no console.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import Fastify from 'fastify';
import { createApiServer } from '../../src/api/server.js';
import { registerConsoleStatic } from '../../src/api/console-static.js';
import { isolatedXml, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import { type DriverClient, driverClient } from '../support/driver-client.js';
import type { NetworkDriverApi } from '../../src/contract/network-api.js';
import { AuthThrottle } from '../../src/api/auth-throttle.js';
import { TcpIdentity } from '../../src/api/tcp-origin.js';

const token = 'a1'.repeat(32);
let dir: string;
const apps: FastifyInstance[] = [];
const drivers: TestDriver[] = [];
let driver: DriverClient;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtnet-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>virtnet console</title>');
  writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', '.hidden'), 'secret');
  writeFileSync(join(dir, 'secret.txt'), 'not an asset');
  process.env['VIRTNET_CONSOLE_DIR'] = dir;
});
afterAll(() => {
  delete process.env['VIRTNET_CONSOLE_DIR'];
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(drivers.splice(0).map((t) => t.dispose()));
});

/** The real network driver over the fake runtime, disposed after the test. */
async function testDriver(): Promise<TestDriver> {
  const t = await startTestDriver();
  drivers.push(t);
  return t;
}

/** The console's listener, as the daemon configures it: 127.0.0.1:9 (and its names), plain HTTP unless `tls`. */
const LISTEN = { host: '127.0.0.1', port: 9 };
const HOST = '127.0.0.1:9';

async function tcpServer(options: { tls?: boolean; throttle?: AuthThrottle; driver?: NetworkDriverApi } = {}): Promise<FastifyInstance> {
  driver = driverClient(options.driver ?? (await testDriver()).driver);
  const identity = new TcpIdentity({ ...LISTEN, tls: options.tls === true }, options.tls ? ['virtnet.example'] : []);
  const app = await createApiServer({
    driver: driver,
    access: { kind: 'tcp', token, identity, ...(options.throttle ? { throttle: options.throttle } : {}) },
    version: '1.0.0',
  });
  apps.push(app);
  return app;
}

/** inject() with the listener's own Host unless the test gives another. */
async function call(app: FastifyInstance, opts: InjectOptions) {
  const headers = { host: HOST, ...(opts.headers ?? {}) };
  const res = await app.inject({ ...opts, headers });
  // biome-ignore lint/suspicious/noExplicitAny: the tests walk the JSON answers freely; a wrong path fails their assertions
  let body: any;
  try {
    body = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, body, raw: res.body, headers: res.headers };
}

async function login(app: FastifyInstance): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const res = await call(app, { method: 'POST', url: '/api/console/login', payload: { token } });
  expect(res.status).toBe(200);
  const setCookie = String(res.headers['set-cookie']);
  const cookie = setCookie.split(';')[0] ?? '';
  return { cookie, csrf: res.body.csrf as string, setCookie };
}

describe('the console files', () => {
  it('serves the page and its assets to anyone on TCP, with a strict CSP', async () => {
    const app = await tcpServer();
    const page = await call(app, { url: '/' });
    expect(page.status).toBe(200);
    expect(page.raw).toContain('virtnet console');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(String(page.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    const js = await call(app, { url: '/assets/app-1234.js' });
    expect([js.status, js.headers['content-type'], js.headers['cache-control']]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
    ]);
  });

  it('serves the compressed twin the browser takes, as it is, and the plain file otherwise', async () => {
    const js = 'console.log("x");'.repeat(100);
    writeFileSync(join(dir, 'assets', 'big-5678.js'), js);
    writeFileSync(join(dir, 'assets', 'big-5678.js.br'), brotliCompressSync(js));
    writeFileSync(join(dir, 'assets', 'big-5678.js.gz'), gzipSync(js));
    const app = await tcpServer();
    const get = (encoding?: string) =>
      app.inject({ url: '/assets/big-5678.js', headers: { host: HOST, ...(encoding !== undefined ? { 'accept-encoding': encoding } : {}) } });
    const br = await get('gzip, deflate, br');
    expect([br.headers['content-encoding'], br.headers['vary'], brotliDecompressSync(br.rawPayload).toString()]).toEqual([
      'br',
      'accept-encoding',
      js,
    ]);
    const gz = await get('gzip');
    expect([gz.headers['content-encoding'], gunzipSync(gz.rawPayload).toString()]).toEqual(['gzip', js]);
    const plain = await get();
    expect([plain.headers['content-encoding'], plain.body]).toEqual([undefined, js]);
    expect((await get('br;q=0, gzip;q=0')).headers['content-encoding']).toBeUndefined();
  });

  it('serves nothing outside the assets, and no dot-files', async () => {
    const app = await tcpServer();
    for (const url of ['/assets/../secret.txt', '/assets/%2e%2e/secret.txt', '/assets/.hidden', '/assets/missing.js']) {
      const res = await call(app, { url });
      // A path that normalizes outside /assets/ is no asset at all: it needs a session like any other.
      expect([url, [401, 404].includes(res.status), res.raw.includes('secret')]).toEqual([url, true, false]);
    }
    expect((await call(app, { url: '/secret.txt' })).status).toBe(401);
  });

  it('says how to build it when it is not built', async () => {
    const app = Fastify();
    apps.push(app);
    registerConsoleStatic(app, undefined);
    const page = await call(app, { url: '/' });
    expect(page.status).toBe(200);
    expect(page.raw).toContain('The web console is not built. Run <code>npm run build</code>');
    expect((await call(app, { url: '/assets/app.js' })).status).toBe(404);
  });

  it('is not served on the unix sockets', async () => {
    const app = await createApiServer({ driver: (await testDriver()).driver, access: { kind: 'unix' }, version: '1.0.0' });
    apps.push(app);
    expect((await call(app, { url: '/' })).status).toBe(404);
    expect((await call(app, { url: '/api/console/session' })).status).toBe(404);
  });
});

describe('the console session', () => {
  it('refuses the API without a session, and a wrong token at login', async () => {
    const app = await tcpServer();
    expect((await call(app, { url: '/api/networks' })).status).toBe(401);
    expect((await call(app, { url: '/api/console/session' })).body).toEqual({ authenticated: false });
    const bad = await call(app, { method: 'POST', url: '/api/console/login', payload: { token: 'b2'.repeat(32) } });
    expect(bad.status).toBe(401);
    expect(bad.body.message).toBe('authentication failed: the token does not match the one virtnetd wrote to its run directory (RUN/token)');
    expect(bad.headers['set-cookie']).toBeUndefined();
  });

  it("gives an HttpOnly SameSite=Strict cookie for the daemon's token, which opens the API", async () => {
    const app = await tcpServer();
    const { cookie, csrf, setCookie } = await login(app);
    expect(setCookie).toMatch(
      /^virtnet_session=v1\.[A-Za-z0-9_-]{22}\.[0-9a-z]+\.[A-Za-z0-9_-]{11}\.[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await call(app, { url: '/api/networks', headers: { cookie } })).status).toBe(200);
    expect((await call(app, { url: '/api/console/session', headers: { cookie } })).body).toEqual({ authenticated: true, csrf });
    expect((await call(app, { url: '/api/networks', headers: { cookie: 'virtnet_session=forged' } })).status).toBe(401);
  });

  it('needs the CSRF token and the same origin for a change', async () => {
    const app = await tcpServer();
    const { cookie, csrf } = await login(app);
    const define = (headers: Record<string, string>) =>
      call(app, { method: 'POST', url: '/api/networks', payload: { xml: isolatedXml('n1') }, headers: { cookie, ...headers } });
    const none = await define({});
    expect([none.status, none.body.class]).toEqual([403, 'OPERATION_DENIED']);
    expect(none.body.message).toBe("operation forbidden: the console session's request lacks its CSRF token (header 'x-csrf-token')");
    expect((await define({ 'x-csrf-token': 'x'.repeat(43) })).status).toBe(403);
    const foreign = await define({ 'x-csrf-token': csrf, origin: 'http://evil.example', host: '127.0.0.1:9' });
    expect([foreign.status, foreign.body.detail]).toEqual([
      403,
      "the console refuses a change requested from another origin ('http://evil.example')",
    ]);
    expect(driver.calls.filter((c) => c.method === 'define')).toEqual([]);
    const ok = await define({ 'x-csrf-token': csrf, origin: 'http://127.0.0.1:9', host: '127.0.0.1:9' });
    expect([ok.status, ok.body.name]).toEqual([200, 'n1']);
  });

  it('ends with logout', async () => {
    const app = await tcpServer();
    const { cookie, csrf } = await login(app);
    const out = await call(app, { method: 'POST', url: '/api/console/logout', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await call(app, { url: '/api/networks', headers: { cookie } })).status).toBe(401);
  });

  it('leaves bearer-token clients alone: no CSRF token needed', async () => {
    const app = await tcpServer();
    const res = await call(app, {
      method: 'POST',
      url: '/api/networks',
      payload: { xml: isolatedXml('n2') },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });
});

describe('the XML check', () => {
  it("says whether net-define would take the XML, with libvirt's error when not", async () => {
    const app = await tcpServer();
    const { cookie, csrf } = await login(app);
    const check = (xml: string) =>
      call(app, { method: 'POST', url: '/api/console/check-network', payload: { xml }, headers: { cookie, 'x-csrf-token': csrf } });
    const good = await check("<network><name>ok</name><ip address='192.168.7.1' prefix='24'/></network>");
    expect([good.status, good.body.valid, good.body.def.name, good.body.def.ips[0].address]).toEqual([200, true, 'ok', '192.168.7.1']);
    const noName = await check('<network/>');
    expect([noName.status, noName.body.valid, noName.body.error.message]).toEqual([200, false, 'missing name information']);
    const mtu = await check("<network><name>a</name><mtu size='abc'/></network>");
    expect(mtu.body.error).toEqual({
      class: 'XML_ERROR',
      detail: "Invalid mtu size 'abc' in network 'a'",
      message: "XML error: Invalid mtu size 'abc' in network 'a'",
      code: 'xml.badMtu',
      params: { size: 'abc', name: 'a' },
    });
    const broken = await check('<network><name>x</name>');
    expect(broken.body.error.message).toMatch(/^\(network_definition\):1: Premature end of data in tag network line 1\n/);
    expect([broken.body.error.code, broken.body.error.params.line, broken.body.error.params.problem]).toEqual([
      'xml.malformed',
      '1',
      'Premature end of data in tag network line 1',
    ]);
  });

  it('gives the net-update calls that carry an edit over to a running network, and defines a model sent back', async () => {
    // The real driver, over the fake runtime: versions, net-update and define as the daemon has them.
    const real = await testDriver();
    const app = await tcpServer({ driver: real.driver });
    const { cookie, csrf } = await login(app);
    const headers = { cookie, 'x-csrf-token': csrf };
    const r1 = "<network><name>r1</name><ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.100' end='10.0.0.200'/></dhcp></ip></network>";
    expect((await call(app, { method: 'POST', url: '/api/networks', payload: { xml: r1 }, headers })).status).toBe(200);
    const saved = (await call(app, { url: '/api/networks/r1/xml?inactive=true', headers })).body.xml as string;
    // Stopped: nothing live to carry over.
    const stopped = await call(app, { method: 'POST', url: '/api/console/check-network', payload: { xml: saved, name: 'r1' }, headers });
    expect([stopped.body.valid, stopped.body.liveOps]).toEqual([true, undefined]);
    // The model, changed and sent back, is defined as any net-define, with its version as If-Match.
    const state = (await call(app, { url: '/api/console/networks/r1', headers })).body.network;
    const def = { ...state.def, mtu: 1400 };
    const stale = await call(app, {
      method: 'POST',
      url: '/api/console/define-model',
      payload: { def },
      headers: { ...headers, 'if-match': '"nope"' },
    });
    expect(stale.status).toBe(412);
    const ok = await call(app, {
      method: 'POST',
      url: '/api/console/define-model',
      payload: { def },
      headers: { ...headers, 'if-match': `"${state.version}"` },
    });
    expect([ok.status, ok.body.name]).toEqual([200, 'r1']);
    expect((await call(app, { url: '/api/networks/r1/xml?inactive=true', headers })).body.xml).toContain("<mtu size='1400'/>");
    const junk = await call(app, { method: 'POST', url: '/api/console/define-model', payload: { def: { name: 'x' } }, headers });
    expect([junk.status, junk.body.class]).toEqual([400, 'INVALID_ARG']);
    // Running: a reservation added in the edit is carried over live, the MTU is not.
    await call(app, { method: 'POST', url: '/api/networks/r1/start', headers });
    const now = (await call(app, { url: '/api/networks/r1/xml?inactive=true', headers })).body.xml as string;
    const edited = now
      .replace("<mtu size='1400'/>", "<mtu size='1300'/>")
      .replace(/(<dhcp>)/, "$1\n      <host mac='52:54:00:00:00:42' ip='10.0.0.42'/>");
    const running = await call(app, { method: 'POST', url: '/api/console/check-network', payload: { xml: edited, name: 'r1' }, headers });
    expect(running.body.liveOps).toEqual([
      { command: 'add-last', section: 'ip-dhcp-host', parentIndex: 0, xml: "<host mac='52:54:00:00:00:42' ip='10.0.0.42'/>", flags: { live: true } },
    ]);
  });
});

describe('the snapshots', () => {
  it('give every network with its model as JSON, one network or null, and no guests without a guest driver', async () => {
    const app = await tcpServer();
    const { cookie, csrf } = await login(app);
    const headers = { cookie, 'x-csrf-token': csrf };
    await call(app, { method: 'POST', url: '/api/networks', payload: { xml: isolatedXml('n1') }, headers });
    await call(app, { method: 'POST', url: '/api/networks', payload: { xml: isolatedXml('n2') }, headers });
    const all = await call(app, { url: '/api/console/networks', headers });
    // biome-ignore lint/suspicious/noExplicitAny: one network of the JSON answer, checked by the assertion
    expect(all.body.networks.map((n: any) => [n.info.name, n.def.name, n.config])).toEqual([
      ['n1', 'n1', undefined],
      ['n2', 'n2', undefined],
    ]);
    expect((await call(app, { url: '/api/console/networks/n2', headers })).body.network.info.name).toBe('n2');
    // Gone is an answer, not an error.
    const gone = await call(app, { url: '/api/console/networks/nope', headers });
    expect([gone.status, gone.body]).toEqual([200, { network: null }]);
    expect((await call(app, { url: '/api/console/guests', headers })).body).toEqual({ available: false, guests: [] });
    // They need the session like the rest of the API.
    expect((await call(app, { url: '/api/console/networks' })).status).toBe(401);
  });
});

describe('the TCP listener against DNS rebinding and cross-site requests', () => {
  it('answers only to its own Host names (421 otherwise), for the page, the login and the API alike', async () => {
    const app = await tcpServer();
    for (const host of ['127.0.0.1:9', 'localhost:9', 'LOCALHOST:9']) {
      expect([host, (await call(app, { url: '/', headers: { host } })).status]).toEqual([host, 200]);
    }
    for (const host of ['evil.example:9', 'evil.example', '127.0.0.1:10', '127.0.0.1', '']) {
      const page = await call(app, { url: '/', headers: { host } });
      expect([host, page.status, page.body.class]).toEqual([host, 421, 'OPERATION_DENIED']);
      const api = await call(app, { url: '/api/networks', headers: { host, authorization: `Bearer ${token}` } });
      expect([host, api.status]).toEqual([host, 421]);
      const login = await call(app, { method: 'POST', url: '/api/console/login', payload: { token }, headers: { host } });
      expect([host, login.status, login.headers['set-cookie']]).toEqual([host, 421, undefined]);
    }
    const res = await call(app, { url: '/api/networks', headers: { host: 'evil.example:9' } });
    expect(res.body.detail).toBe("this virtnetd listener answers to 127.0.0.1:9, localhost:9, not to Host 'evil.example:9'");
  });

  it("checks a change's Origin against the listener's configured address and scheme, not against the request's Host", async () => {
    const app = await tcpServer();
    const { cookie, csrf } = await login(app);
    const define = (name: string, origin: string, host = HOST) =>
      call(app, {
        method: 'POST',
        url: '/api/networks',
        payload: { xml: isolatedXml(name) },
        headers: { cookie, 'x-csrf-token': csrf, origin, host },
      });
    // Another name of the same listener is its own origin, whatever Host this request came with.
    expect((await define('o1', 'http://localhost:9')).status).toBe(200);
    // The scheme and the port are the listener's.
    expect((await define('o2', 'https://127.0.0.1:9')).status).toBe(403);
    expect((await define('o3', 'http://127.0.0.1:10')).status).toBe(403);
    // A login from another origin is refused too.
    const foreign = await call(app, { method: 'POST', url: '/api/console/login', payload: { token }, headers: { origin: 'http://evil.example' } });
    expect([foreign.status, foreign.body.detail, foreign.headers['set-cookie']]).toEqual([
      403,
      "the console refuses a change requested from another origin ('http://evil.example')",
      undefined,
    ]);
    expect(driver.calls.filter((c) => c.method === 'define').map((c) => (c.args[0] as string).match(/<name>(\w+)/)?.[1])).toEqual(['o1']);
  });

  it('on a TLS listener: Secure cookies, https origins only, and the certificate names as Host', async () => {
    const app = await tcpServer({ tls: true });
    const res = await call(app, {
      method: 'POST',
      url: '/api/console/login',
      payload: { token },
      headers: { host: 'virtnet.example:9', origin: 'https://virtnet.example:9' },
    });
    expect(res.status).toBe(200);
    expect(String(res.headers['set-cookie'])).toMatch(/^virtnet_session=v1\.[\w.-]+; Path=\/; HttpOnly; SameSite=Strict; Secure$/);
    const cookie = String(res.headers['set-cookie']).split(';')[0] ?? '';
    const csrf = res.body.csrf as string;
    const define = (origin: string) =>
      call(app, { method: 'POST', url: '/api/networks', payload: { xml: isolatedXml('t1') }, headers: { cookie, 'x-csrf-token': csrf, origin } });
    expect((await define('http://127.0.0.1:9')).status).toBe(403);
    expect((await define('https://127.0.0.1:9')).status).toBe(200);
    const out = await call(app, { method: 'POST', url: '/api/console/logout', headers: { cookie, 'x-csrf-token': csrf } });
    expect(String(out.headers['set-cookie'])).toBe('virtnet_session=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0');
  });
});

describe('guessing the token', () => {
  it('is slowed down: after 10 failures a client gets 429 (with Retry-After) without its token being compared, bearer and login alike, until the rate allows again', async () => {
    let now = 1_000_000;
    const app = await tcpServer({ throttle: new AuthThrottle({ now: () => now }) });
    const wrong = `Bearer ${'0'.repeat(64)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await call(app, { url: '/api/networks', headers: { authorization: wrong } })).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(190);
    const blocked = await call(app, { url: '/api/networks', headers: { authorization: wrong } });
    expect([blocked.status, blocked.headers['retry-after'], blocked.body.message]).toEqual([
      429,
      '1',
      'authentication failed: too many failed authentication attempts from 127.0.0.1; try again in 1 s',
    ]);
    // While blocked even the right token is not looked at, and the console's login counts the same way.
    expect((await call(app, { url: '/api/networks', headers: { authorization: `Bearer ${token}` } })).status).toBe(429);
    expect((await call(app, { method: 'POST', url: '/api/console/login', payload: { token } })).status).toBe(429);
    // One failure a second comes back.
    now += 1000;
    expect((await call(app, { method: 'POST', url: '/api/console/login', payload: { token: 'x' } })).status).toBe(401);
    expect((await call(app, { method: 'POST', url: '/api/console/login', payload: { token } })).status).toBe(429);
    now += 1000;
    expect((await call(app, { url: '/api/networks', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // A right token costs nothing.
    for (let i = 0; i < 50; i++) expect((await call(app, { url: '/api/networks', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
