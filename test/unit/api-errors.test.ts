/**
 * Errors a person can act on, with the right HTTP status (issue 10,
 * point 7): a body over the limit is a 413 VirError through the daemon's
 * listeners (not a reset connection), an OS error says what happened (a
 * full disk: 507 "No space left on device while saving '…'", a file name
 * too long: 400) instead of "unexpected failure in virtnetd", and mistakes
 * in the caller's input that libvirt classes as internal or system errors
 * are 4xx.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type RunningDaemon } from '../../src/api/daemon.js';
import { createApiServer } from '../../src/api/server.js';
import { writeFileAtomic } from '../../src/util/atomic-file.js';
import { VirError } from '../../src/util/errors.js';
import { isolatedXml, startTestDriver } from '../support/network-testkit.js';
import { runAsProgram } from '../support/run-as-program.js';

const scratch = mkdtempSync(join(tmpdir(), 'vnt-errors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const daemons: RunningDaemon[] = [];
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop()));
});

let roots = 0;
/** A daemon over the real network driver on the fake runtime; stopping it disposes of the driver. */
async function daemon(): Promise<RunningDaemon> {
  const t = await startTestDriver();
  const d = await startDaemon(
    {
      root: join(scratch, `root${roots++}`),
      sandbox: false,
      logLevel: 'silent',
      autostart: false,
      libvirtSocket: false,
      listen: { host: '127.0.0.1', port: 0 },
    },
    {
      createDriver: async () => ({ driver: t.driver, close: () => t.dispose() }),
      logger: pino({ level: 'silent' }),
      version: '1.0.0',
      print: () => undefined,
    },
  );
  daemons.push(d);
  return d;
}

/**
 * Send a raw HTTP request of `bodyBytes` bytes (with Content-Length, or
 * chunked) the way most clients do — the whole body first, then read the
 * answer — and return the status line and body, plus any socket error on
 * the way (a reset while writing means the client never got to read).
 */
function rawPost(
  target: { path: string } | { port: number },
  url: string,
  bodyBytes: number,
  chunked: boolean,
  headers: Record<string, string> = {},
): Promise<string> {
  return new Promise((resolve) => {
    const socket = 'path' in target ? netConnect(target.path) : netConnect(target.port, '127.0.0.1');
    let answer = '';
    let failure = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (answer += d));
    socket.on('error', (e: NodeJS.ErrnoException) => (failure = ` (then ${e.code})`));
    socket.on('close', () => resolve(summarise(answer) + failure));
    const head = [
      `POST ${url} HTTP/1.1`,
      `Host: 127.0.0.1${'port' in target ? `:${target.port}` : ''}`,
      'Content-Type: application/json',
      chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${bodyBytes + 10}`,
      'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      '',
      '',
    ].join('\r\n');
    socket.write(head);
    const body = Buffer.from(`{"xml":"${'x'.repeat(bodyBytes)}"}`);
    let off = 0;
    const piece = 256 * 1024;
    const more = (): void => {
      while (off < body.length) {
        const part = body.subarray(off, off + piece);
        off += part.length;
        const chunk = chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]) : part;
        if (!socket.write(chunk)) {
          socket.once('drain', more);
          return;
        }
      }
      if (chunked) socket.write('0\r\n\r\n');
    };
    more();
  });
}

function summarise(answer: string): string {
  const status = answer.split('\r\n')[0] ?? '';
  const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
  return `${status} ${body}`;
}

const TOO_LARGE =
  'HTTP/1.1 413 Payload Too Large {"class":"INVALID_ARG","detail":"request body is too large (the limit is 4194304 bytes)","message":"invalid argument: request body is too large (the limit is 4194304 bytes)","code":"class.INVALID_ARG","params":{"detail":"request body is too large (the limit is 4194304 bytes)"}}';

describe('a body over the limit', () => {
  it('gets 413 with a VirError on every listener, whether its length is announced or chunked, after the daemon has read it all (no reset while the client writes)', async () => {
    const d = await daemon();
    const tcp = { port: d.tcp?.port as number };
    const auth = { Authorization: `Bearer ${d.token}` };
    for (const chunked of [false, true]) {
      expect([chunked, await rawPost({ path: d.socket }, '/api/networks', 10 * 1024 * 1024, chunked)]).toEqual([chunked, TOO_LARGE]);
      expect([chunked, await rawPost({ path: d.readonlySocket }, '/api/networks', 10 * 1024 * 1024, chunked)]).toEqual([chunked, TOO_LARGE]);
      expect([chunked, await rawPost(tcp, '/api/networks', 10 * 1024 * 1024, chunked, auth)]).toEqual([chunked, TOO_LARGE]);
    }
  }, 60_000);
});

describe('OS errors', () => {
  it('say what happened and answer the status it stands for, never "unexpected failure"', async () => {
    const t = await startTestDriver();
    const app = await createApiServer({ driver: t.driver, access: { kind: 'unix' }, version: '1.0.0' });
    // The runtime fails reading a running network's leases with each OS error.
    await t.driver.create(isolatedXml('x'));
    const osError = (code: string, message: string, extra: Record<string, string>) =>
      Object.assign(new Error(`${code}: ${message}`), { code, ...extra });
    const cases: [Error, number, string][] = [
      [
        osError('ENOSPC', 'no space left on device, mkdir', { syscall: 'mkdir', path: '/etc/virtnet/networks/autostart' }),
        507,
        "No space left on device: mkdir '/etc/virtnet/networks/autostart'",
      ],
      [
        osError('ENAMETOOLONG', 'name too long, open', { syscall: 'open', path: '/etc/virtnet/networks/nnn.xml' }),
        400,
        "File name too long: open '/etc/virtnet/networks/nnn.xml'",
      ],
      [
        osError('EROFS', 'read-only file system, symlink', { syscall: 'symlink', path: '/a', dest: '/b' }),
        500,
        "Read-only file system: symlink '/a' -> '/b'",
      ],
    ];
    try {
      for (const [err, status, detail] of cases) {
        t.runtime.failNext('leases', err);
        const res = await app.inject({ url: '/api/networks/x/leases' });
        expect([res.statusCode, JSON.parse(res.body)]).toEqual([
          status,
          { class: 'SYSTEM_ERROR', detail, message: detail, code: 'class.SYSTEM_ERROR', params: { detail } },
        ]);
      }
    } finally {
      await app.close();
      await t.dispose();
    }
  });

  it('name the file a save could not write', () => {
    const long = join(scratch, `${'n'.repeat(300)}.xml`);
    const err = (() => {
      try {
        writeFileAtomic(long, 'x');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(VirError);
    expect((err as VirError).message).toBe(`File name too long while saving '${long}'`);
    expect((err as VirError).status).toBe(400);
  });

  const canMount = process.getuid?.() === 0 && spawnSync('unshare', ['--mount', '--propagation', 'private', 'true']).status === 0;

  it.skipIf(!canMount)('a define on a full disk answers 507 "No space left on device while saving …" and leaves nothing behind', async () => {
    // A private mount namespace with a tiny, full tmpfs as the config directory; it vanishes with the program.
    const root = join(scratch, 'full');
    const r = await runAsProgram(
      scratch,
      'enospc',
      { startTestDriver: 'test/support/network-testkit.ts', createApiServer: 'src/api/server.ts', isolatedXml: 'test/support/network-testkit.ts' },
      `import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const root = ${JSON.stringify(root)};
const etc = root + '/etc/virtnet';
mkdirSync(etc, { recursive: true });
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', etc]);
mkdirSync(etc + '/networks/autostart', { recursive: true });
try { for (let i = 0; ; i++) writeFileSync(etc + '/fill' + i, Buffer.alloc(4096)); } catch (e) { if (e.code !== 'ENOSPC') throw e; }
const t = await startTestDriver({}, { root, kernel: undefined });
const app = await createApiServer({ driver: t.driver, access: { kind: 'unix' }, version: '1' });
const res = await app.inject({ method: 'POST', url: '/api/networks', payload: { xml: isolatedXml('n1', { subnet: '10.1.2' }) } });
console.log(res.statusCode + ' ' + res.body);
console.log(JSON.stringify(readdirSync(etc + '/networks')));
const list = await app.inject({ url: '/api/networks' });
console.log(list.body);
await app.close();
await t.driver.close();`,
      { prefix: ['unshare', '--mount', '--propagation', 'private'] },
    );
    expect(r.stderr).toBe('');
    const detail = `No space left on device while saving '${root}/etc/virtnet/networks/n1.xml'`;
    expect(r.stdout.split('\n')).toEqual([
      `507 ${JSON.stringify({ class: 'SYSTEM_ERROR', detail, message: detail, code: 'class.SYSTEM_ERROR', params: { detail } })}`,
      '["autostart"]',
      '[]',
      '',
    ]);
  });
});

describe("mistakes in the caller's input that libvirt calls internal or system errors", () => {
  it('are 4xx: an address that does not parse (400), a subnet another network uses (409), a MAC that does not parse (400)', async () => {
    const t = await startTestDriver();
    const app = await createApiServer({ driver: t.driver, access: { kind: 'unix' }, version: '1.0.0' });
    try {
      const bad =
        "<network><name>a</name><ip address='10.3.3.1' netmask='255.255.255.0'><dhcp><range start='10.3.3.2' end='nowhere'/></dhcp></ip></network>";
      const r1 = await app.inject({ method: 'POST', url: '/api/networks', payload: { xml: bad } });
      expect([r1.statusCode, JSON.parse(r1.body).class, JSON.parse(r1.body).detail]).toEqual([
        400,
        'SYSTEM_ERROR',
        "Cannot parse socket address 'nowhere': Name or service not known",
      ]);
      await t.driver.create("<network><name>b</name><ip address='10.4.4.1' netmask='255.255.255.0'/></network>");
      const r2 = await app.inject({
        method: 'POST',
        url: '/api/networks/create',
        payload: { xml: "<network><name>c</name><ip address='10.4.4.9' netmask='255.255.255.0'/></network>" },
      });
      expect([r2.statusCode, JSON.parse(r2.body).message]).toEqual([
        409,
        `internal error: Network is already in use by interface ${(await t.driver.lookupByName('b')).bridge}`,
      ]);
      const r3 = await app.inject({ url: '/api/networks/b/leases?mac=true' });
      expect([r3.statusCode, JSON.parse(r3.body).message]).toEqual([400, 'invalid MAC address: true']);
    } finally {
      await app.close();
      await t.dispose();
    }
  });
});
