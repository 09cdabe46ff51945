/**
 * The version probe folded into a CLI call's first request (ConnectOptions.deferProbe,
 * CommandDef.probeInFirstCall): the real client and CLI against stand-in daemons on a
 * unix socket that record what they were asked: virtnetd (its success answers carry the
 * x-virtnetd header), a daemon too old to set it, and a server that is not virtnetd.
 * The CLI prints exactly what it printed when it asked the version first, and makes one
 * request for `net-dumpxml NAME` when the daemon is virtnetd.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { connect } from '../../src/client/index.js';
import { DAEMON_HEADER, ROUTES } from '../../src/client/http-routes.js';
import { createApiServer } from '../../src/api/server.js';
import { TcpIdentity } from '../../src/api/tcp-origin.js';
import { driverClient } from '../support/driver-client.js';
import { startTestDriver } from '../support/network-testkit.js';

const XML = '<network>\n  <name>n1</name>\n</network>\n';
const NOT_FOUND = {
  class: 'NO_NETWORK',
  detail: "no network with matching name 'nope'",
  message: "Network not found: no network with matching name 'nope'",
};
const VERSION = { name: 'virtnetd', version: '0.0.9', readonly: false };

/** How a stand-in daemon answers. */
type Kind = 'virtnetd' | 'old-virtnetd' | 'not-virtnetd';

let dir: string;
let server: Server | undefined;
let asked: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtnet-probe-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s) await new Promise((resolve) => s.close(resolve));
});

function json(res: ServerResponse, status: number, body: unknown, header: boolean): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(header ? { [DAEMON_HEADER]: '0.0.9' } : {}),
  });
  res.end(text);
}

/** A stand-in daemon with network n1 on a fresh socket; its path. */
async function serve(kind: Kind): Promise<string> {
  asked = [];
  const sock = join(dir, `${kind}-${Math.random().toString(16).slice(2)}.sock`);
  const header = kind === 'virtnetd';
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    asked.push(`${req.method} ${req.url}`);
    if (kind === 'not-virtnetd') {
      // Answers the network's route as a virtnetd would, but has no version route.
      if (req.url === ROUTES.version) {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<h1>no</h1>');
      } else json(res, 200, { xml: XML }, false);
      return;
    }
    if (req.url === ROUTES.version) json(res, 200, VERSION, header);
    else if (req.url === '/api/networks/n1/xml' || req.url === '/api/networks/n1/xml?inactive=true') json(res, 200, { xml: XML }, header);
    else if (req.url === '/api/networks/n1') json(res, 200, { name: 'n1', uuid: '8f6f0c3e-8a2f-4b8e-9a55-0d1c2c3b4a5e', active: true }, header);
    else if (req.url === '/api/networks/nope/xml' || req.url === '/api/networks/nope') json(res, 404, NOT_FOUND, header);
    else json(res, 404, { class: 'NO_SUPPORT', detail: 'x', message: 'x' }, header);
  });
  const s = server;
  await new Promise<void>((resolve) => s.listen(sock, resolve));
  return sock;
}

async function cli(sock: string, args: string[]): Promise<{ stdout: string; stderr: string; rc: number }> {
  let stdout = '';
  let stderr = '';
  const rc = await runCli(args, {
    io: { out: (t) => (stdout += t), err: (t) => (stderr += t) },
    connect,
    env: { VIRTNET_DEFAULT_URI: `unix://${sock}` },
    cwd: dir,
  });
  return { stdout, stderr, rc };
}

describe('a CLI call whose first request stands in for the version probe', () => {
  it('asks virtnetd for a network XML in one request', async () => {
    const sock = await serve('virtnetd');
    expect(await cli(sock, ['-q', 'net-dumpxml', 'n1'])).toEqual({ stdout: XML, stderr: '', rc: 0 });
    expect(asked).toEqual(['GET /api/networks/n1/xml']);
  });

  it("reports a missing network with virsh's two lines, as the lookup always did", async () => {
    const sock = await serve('virtnetd');
    expect(await cli(sock, ['net-dumpxml', 'nope'])).toEqual({
      stdout: '\n',
      stderr: "error: failed to get network 'nope'\nerror: Network not found: no network with matching name 'nope'\n",
      rc: 1,
    });
  });

  it('still works with a daemon too old to name itself in its answers: it asks the version as before', async () => {
    const sock = await serve('old-virtnetd');
    expect(await cli(sock, ['-q', 'net-dumpxml', 'n1'])).toEqual({ stdout: XML, stderr: '', rc: 0 });
    expect(asked).toEqual(['GET /api/networks/n1/xml', 'GET /api/version']);
    expect(await cli(sock, ['net-info', 'n1'])).toMatchObject({ rc: 0, stderr: '' });
  });

  it('refuses a server that is not virtnetd exactly as the version probe did, and prints nothing of the command', async () => {
    const sock = await serve('not-virtnetd');
    const refused = {
      stdout: '',
      stderr: 'error: failed to connect to the hypervisor\nerror: internal error: virtnetd sent an answer that is not JSON (HTTP status 404)\n',
      rc: 1,
    };
    expect(await cli(sock, ['net-dumpxml', 'n1'])).toEqual(refused);
    // A chain stops there, as it did when the connection failed before the first command.
    expect(await cli(sock, ['net-dumpxml n1; net-list'])).toEqual(refused);
    // A command that fails before its first request: its own error is not printed either.
    expect(await cli(sock, ['net-dumpxml', ''])).toEqual(refused);
  });

  it('reports an absent daemon with the same lines, whether or not the command made a request', async () => {
    const missing = join(dir, 'nowhere', 'virtnetd.sock');
    const lines = `error: failed to connect to the hypervisor\nerror: Failed to connect socket to '${missing}': No such file or directory\n`;
    expect(await cli(missing, ['-q', 'net-dumpxml', 'n1'])).toEqual({ stdout: '', stderr: lines, rc: 1 });
    expect(await cli(missing, ['-q', 'net-dumpxml', ''])).toEqual({ stdout: '', stderr: lines, rc: 1 });
  });
});

describe('connect({ deferProbe })', () => {
  it('lets a call that changes something go out only after the probe', async () => {
    const sock = await serve('virtnetd');
    const c = await connect({ uri: `unix://${sock}`, deferProbe: true });
    await expect(c.start('n1')).rejects.toThrow();
    expect(asked).toEqual(['GET /api/version', 'POST /api/networks/n1/start']);
    await c.close();
  });

  it('runs the probe for a first request the daemon refused, and keeps that answer', async () => {
    const sock = await serve('virtnetd');
    const c = await connect({ uri: `unix://${sock}`, deferProbe: true });
    await expect(c.getXml('nope')).rejects.toThrow("Network not found: no network with matching name 'nope'");
    expect(asked).toEqual(['GET /api/networks/nope/xml', 'GET /api/version']);
    await c.close();
  });
});

describe('virtnetd names itself in its answers', () => {
  it('sets the header on the answers to authenticated requests only', async () => {
    const t = await startTestDriver();
    const token = 'b2'.repeat(32);
    const host = '127.0.0.1:0';
    const app = await createApiServer({
      driver: driverClient(t.driver),
      access: { kind: 'tcp', token, identity: new TcpIdentity({ host: '127.0.0.1', port: 0, tls: false }) },
      version: '1.2.3',
    });
    try {
      const missing = await app.inject({ method: 'GET', url: '/api/networks/none/xml', headers: { host, authorization: `Bearer ${token}` } });
      expect([missing.statusCode, missing.headers[DAEMON_HEADER]]).toEqual([404, '1.2.3']);
      const version = await app.inject({ method: 'GET', url: ROUTES.version, headers: { host, authorization: `Bearer ${token}` } });
      expect([version.statusCode, version.headers[DAEMON_HEADER]]).toEqual([200, '1.2.3']);
      const stranger = await app.inject({ method: 'GET', url: ROUTES.version, headers: { host } });
      expect([stranger.statusCode, stranger.headers[DAEMON_HEADER]]).toEqual([401, undefined]);
    } finally {
      await app.close();
      await t.dispose();
    }
  });
});
