/**
 * The CLI's blocking requests (src/client/unix-request.ts): the addon built as
 * the build builds it, against unix-socket servers that answer as a test
 * wants; and the transport giving the same answers and errors through it as
 * through node:net.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildUnixRequest, nodeHeadersDir } from '../../scripts/build-native.mjs';
import { HttpTransport } from '../../src/client/http-transport.js';
import type { DaemonTarget } from '../../src/client/http-uri.js';
import { type BlockingRequests, findUnixRequestAddon, loadUnixRequest, type UnixRequest } from '../../src/client/unix-request.js';
import { VirError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'vnt-unix-request-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let request: UnixRequest;
beforeAll(() => {
  const built = buildUnixRequest(join(dir, 'virtnet-unix-request.node'));
  if (!built.built) throw new Error(`the addon could not be built here (${built.why}): the tests need cc and Node.js's headers`);
  const loaded = loadUnixRequest(findUnixRequestAddon({}, [dir]));
  if (typeof loaded !== 'function') throw new Error(loaded.none);
  request = loaded;
});

/**
 * How the test server answers: a whole request (its head, and the body its content-length names) gets
 * `big` 1 MiB then the end of the connection; `204` a 204 on a connection kept open; `json` its route and
 * body back as JSON (404 for /missing), written in two pieces split inside the headers; `partial` half an
 * answer and the end of the connection.
 */
type Mode = 'big' | '204' | 'json' | 'partial';

/**
 * The server runs in a worker thread, with an event loop of its own: a blocking request stops this one.
 * It posts the head of each request it answered.
 */
const SERVER = `
const { createServer } = require('node:net');
const { parentPort, workerData: { path, mode } } = require('node:worker_threads');
const server = createServer((socket) => {
  let received = '';
  socket.on('error', () => {});
  socket.on('data', (d) => {
    received += d.toString('latin1');
    const end = received.indexOf('\\r\\n\\r\\n');
    if (end < 0) return;
    const head = received.slice(0, end);
    const length = Number(/content-length: (\\d+)/.exec(head)?.[1] ?? 0);
    if (received.length < end + 4 + length) return;
    const body = received.slice(end + 4, end + 4 + length);
    received = received.slice(end + 4 + length);
    parentPort.postMessage(head);
    if (mode === 'big') socket.end('HTTP/1.1 200 OK\\r\\ncontent-length: 1048576\\r\\n\\r\\n' + 'x'.repeat(1048576));
    else if (mode === '204') socket.write('HTTP/1.1 204 No Content\\r\\n\\r\\n');
    else if (mode === 'partial') socket.end('HTTP/1.1 200 OK\\r\\ncontent-length: 50\\r\\n\\r\\n{"partial"');
    else {
      const route = head.split(' ')[1];
      const [status, json] = route === '/missing'
        ? ['404 Not Found', JSON.stringify({ class: 'NO_NETWORK', detail: "no network with matching name 'x'" })]
        : ['200 OK', JSON.stringify({ route, body: Buffer.from(body, 'latin1').toString('utf8') })];
      const answer = 'HTTP/1.1 ' + status + '\\r\\ncontent-type: application/json\\r\\netag: "7"\\r\\ncontent-length: ' + Buffer.byteLength(json) + '\\r\\n\\r\\n' + json;
      socket.write(answer.slice(0, 20));
      setTimeout(() => socket.write(answer.slice(20)), 5);
    }
  });
});
server.listen(path, () => parentPort.postMessage('listening'));
`;

let worker: Worker | undefined;
afterEach(async () => {
  await worker?.terminate();
  worker = undefined;
});

/** A server on a fresh unix socket answering as `mode` says; `heads` fills with the heads of the requests it answered. */
async function serve(mode: Mode): Promise<{ path: string; heads: string[] }> {
  const path = join(dir, `s${Math.random().toString(16).slice(2)}.sock`);
  const heads: string[] = [];
  const w = new Worker(SERVER, { eval: true, workerData: { path, mode } });
  worker = w;
  await new Promise<void>((resolve, reject) => {
    w.on('message', (m: string) => (m === 'listening' ? resolve() : heads.push(m)));
    w.once('error', reject);
  });
  return { path, heads };
}

/** Let the server's messages in (they queue while a blocking request holds this thread). */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

/** The request's answer as the addon hands it on, until the connection ends. */
function readAll(path: string, bytes: string): Buffer {
  const chunks: Buffer[] = [];
  request(path, Buffer.from(bytes), (chunk) => {
    chunks.push(chunk);
    return false;
  });
  return Buffer.concat(chunks);
}

/** What a call throws, as [code, syscall]. */
function thrown(f: () => unknown): [string | undefined, string | undefined] {
  try {
    f();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return [e.code, e.syscall];
  }
  throw new Error('it did not throw');
}

describe('the blocking request addon', () => {
  it('sends the whole request and hands on everything the server writes until it closes', async () => {
    const { path, heads } = await serve('big');
    // A request that needs more than one write, with its body after the empty line.
    const body = 'y'.repeat(300_000);
    const answer = readAll(path, `POST /x HTTP/1.1\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    expect(answer.toString('latin1')).toBe(`HTTP/1.1 200 OK\r\ncontent-length: 1048576\r\n\r\n${'x'.repeat(1 << 20)}`);
    await settle();
    expect(heads).toEqual([`POST /x HTTP/1.1\r\ncontent-length: ${body.length}`]);
  });

  it('stops reading once onData says the answer is whole, even if the server keeps the connection open', async () => {
    const { path } = await serve('204');
    let calls = 0;
    request(path, Buffer.from('GET / HTTP/1.1\r\n\r\n'), () => ++calls > 0);
    expect(calls).toBe(1);
  });

  it('lets what onData throws through', async () => {
    const { path } = await serve('204');
    expect(() =>
      request(path, Buffer.from('GET / HTTP/1.1\r\n\r\n'), () => {
        throw new Error('from onData');
      }),
    ).toThrow('from onData');
  });

  it('fails as node:net does: a missing socket, a file that is no socket, a path too long for one', () => {
    expect(thrown(() => readAll(join(dir, 'none.sock'), 'GET / HTTP/1.1\r\n\r\n'))).toEqual(['ENOENT', 'connect']);
    const plain = join(dir, 'plain-file');
    writeFileSync(plain, '');
    expect(thrown(() => readAll(plain, 'GET / HTTP/1.1\r\n\r\n'))).toEqual(['ECONNREFUSED', 'connect']);
    expect(thrown(() => readAll(`/${'d'.repeat(120)}/virtnetd.sock`, 'GET / HTTP/1.1\r\n\r\n'))).toEqual(['ENAMETOOLONG', 'connect']);
  });

  it("is not built without Node.js's headers (beside the node's bin/), and the build says so", () => {
    expect(nodeHeadersDir('/usr/bin/node')).toBe('/usr/include/node');
    expect(nodeHeadersDir('/opt/node-v20/bin/node')).toBe('/opt/node-v20/include/node');
    const out = join(dir, 'no-headers.node');
    writeFileSync(out, 'an older build');
    expect(buildUnixRequest(out, '/nonexistent/include/node')).toEqual({
      built: false,
      why: "Node.js's headers are not installed (no /nonexistent/include/node/node_api.h)",
    });
    expect(existsSync(out)).toBe(false);
  });

  it('is not there when switched off or not built', () => {
    expect(loadUnixRequest(findUnixRequestAddon({ VIRTNET_UNIX_REQUEST: '' }, [dir]))).toEqual({ none: 'VIRTNET_UNIX_REQUEST is set empty' });
    expect(loadUnixRequest(findUnixRequestAddon({}, [join(dir, 'nowhere')]))).toEqual({
      none: 'virtnet-unix-request.node was not built (npm run build makes it with a C compiler, cc or $CC)',
    });
  });
});

describe('the transport over blocking requests', () => {
  const target = (path: string): DaemonTarget => ({ kind: 'unix', socketPath: path, readonly: false, uri: `unix://${path}` });

  /** The same calls through node:net and through the addon: their answers, or their errors' class and text. */
  async function both(path: string, calls: [method: 'GET' | 'POST', route: string, body?: unknown][]): Promise<unknown[][]> {
    const results: unknown[][] = [];
    for (const blocking of [undefined, { request, mayBlock: () => true } satisfies BlockingRequests]) {
      const transport = new HttpTransport(target(path), undefined, undefined, blocking);
      const out: unknown[] = [];
      for (const [method, route, body] of calls) {
        out.push(
          await transport.call(method, route, body).then(
            (a) => a,
            (e: unknown) => (e instanceof VirError ? [e.errorClass, e.message] : e),
          ),
        );
      }
      transport.close();
      results.push(out);
    }
    return results;
  }

  it('gives the same answers, ETags and daemon errors as node:net', async () => {
    const { path, heads } = await serve('json');
    const [overNet, blocking] = await both(path, [
      ['GET', '/a'],
      ['POST', '/b', { name: 'ñ' }],
      ['GET', '/missing'],
    ]);
    expect(blocking).toEqual(overNet);
    expect(overNet![1]).toEqual({ body: { route: '/b', body: '{"name":"ñ"}' }, etag: '7' });
    expect(overNet![2]).toEqual(['NO_NETWORK', "Network not found: no network with matching name 'x'"]);
    // Through the addon each call asks the daemon to close the connection after its answer.
    await settle();
    expect(heads.map((h) => /connection: close/.test(h))).toEqual([false, false, false, true, true, true]);
  });

  it('says what node:net says when the daemon is not there, or drops the connection without a whole answer', async () => {
    const [overNet, blocking] = await both(join(dir, 'gone.sock'), [['GET', '/a']]);
    expect(blocking).toEqual(overNet);
    expect(blocking![0]).toEqual(['SYSTEM_ERROR', `Failed to connect socket to '${join(dir, 'gone.sock')}': No such file or directory`]);
    const { path } = await serve('partial');
    const [netCut, blockingCut] = await both(path, [['GET', '/a']]);
    expect(blockingCut).toEqual(netCut);
    expect(blockingCut![0]).toEqual(['SYSTEM_ERROR', 'End of file while reading data: Input/output error']);
  });

  it('uses node:net while the process may not block (a Ctrl-C handler waits)', async () => {
    const { path, heads } = await serve('json');
    let may = false;
    const transport = new HttpTransport(target(path), undefined, undefined, { request, mayBlock: () => may });
    await transport.call('GET', '/a');
    may = true;
    await transport.call('GET', '/b');
    transport.close();
    await settle();
    expect(heads.map((h) => /connection: close/.test(h))).toEqual([false, true]);
  });
});
