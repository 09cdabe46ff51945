/**
 * The client's own HTTP/1.1 (src/client/http-wire.ts) against a server
 * that writes its answers byte by byte as a test wants them: lengths,
 * chunks, an interim 100, an answer up to the end of the connection,
 * `connection: close`, a kept-open connection the server drops as the next
 * call goes out (the transport sends it again on a fresh one), and at most
 * maxSockets connections at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HttpTransport } from '../../src/client/http-transport.js';
import { WirePool } from '../../src/client/http-wire.js';

const dir = mkdtempSync(join(tmpdir(), 'vnt-wire-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A server on a fresh unix socket; `answer` gets each request's head (one per request, bodies are not sent here) and the socket. */
async function serve(
  answer: (head: string, socket: Socket, nth: { onSocket: number; overall: number }) => void,
): Promise<{ path: string; sockets: Socket[] }> {
  const path = join(dir, `s${Math.random().toString(16).slice(2)}.sock`);
  const sockets: Socket[] = [];
  let overall = 0;
  server = createServer((socket) => {
    sockets.push(socket);
    let buf = '';
    let onSocket = 0;
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        answer(head, socket, { onSocket: ++onSocket, overall: ++overall });
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server!.listen(path, () => r()));
  return { path, sockets };
}

const get = (pool: WirePool, path = '/x'): Promise<{ status: number; body: string }> =>
  pool.request(`GET ${path} HTTP/1.1\r\nhost: localhost\r\n\r\n`).then((r) => ({ status: r.status, body: r.body.toString() }));

describe('WirePool', () => {
  it('reads an answer with a length, and one in chunks split anywhere', async () => {
    const { path } = await serve((head, s) => {
      if (head.startsWith('GET /len')) s.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello');
      else {
        const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5\r\npedia\r\n0\r\n\r\n';
        for (let i = 0; i < text.length; i += 3) s.write(text.slice(i, i + 3));
      }
    });
    const pool = new WirePool(() => netConnect({ path }), false);
    expect(await get(pool, '/len')).toEqual({ status: 200, body: 'hello' });
    expect(await get(pool, '/chunked')).toEqual({ status: 200, body: 'wikipedia' });
    pool.close();
  });

  it('skips an interim 100 answer, and reads a 204 without a body', async () => {
    const { path } = await serve((head, s) => {
      if (head.startsWith('GET /continue')) s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok');
      else s.write('HTTP/1.1 204 No Content\r\n\r\n');
    });
    const pool = new WirePool(() => netConnect({ path }), false);
    expect(await get(pool, '/continue')).toEqual({ status: 201, body: 'ok' });
    expect(await get(pool, '/none')).toEqual({ status: 204, body: '' });
    pool.close();
  });

  it('reads a 304 without a body, and the headers that frame an answer in any case', async () => {
    const { path, sockets } = await serve((head, s) => {
      if (head.startsWith('GET /same')) s.write('HTTP/1.0 304 Not Modified\r\ncontent-length: 9\r\n\r\n');
      else if (head.startsWith('GET /chunks')) s.write('HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n');
      else s.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: Close\r\n\r\nbye');
    });
    const pool = new WirePool(() => netConnect({ path }), false);
    expect(await get(pool, '/same')).toEqual({ status: 304, body: '' });
    expect(await get(pool, '/chunks')).toEqual({ status: 200, body: 'ok' });
    expect(await get(pool, '/last')).toEqual({ status: 200, body: 'bye' });
    expect(await get(pool, '/again')).toEqual({ status: 200, body: 'bye' });
    expect(sockets).toHaveLength(2);
    pool.close();
  });

  it('fails a call whose answer does not start with an HTTP/1.x status of three digits', async () => {
    for (const line of ['HTTP/2 200 OK', 'HTTP/1.1 20 OK', 'HTTP/1.1 2x0 OK', 'SSH-2.0-OpenSSH_9.2']) {
      const { path } = await serve((_head, s) => {
        s.write(`${line}\r\ncontent-length: 0\r\n\r\n`);
      });
      const pool = new WirePool(() => netConnect({ path }), false);
      await expect(get(pool), line).rejects.toThrow();
      pool.close();
      await new Promise<void>((r) => server!.close(() => r()));
      server = undefined;
    }
  });

  it('reads an answer without length up to the end of the connection, then opens a new one', async () => {
    const { path, sockets } = await serve((_head, s) => {
      s.end('HTTP/1.1 200 OK\r\n\r\nall of it');
    });
    const pool = new WirePool(() => netConnect({ path }), false);
    expect(await get(pool)).toEqual({ status: 200, body: 'all of it' });
    expect(await get(pool)).toEqual({ status: 200, body: 'all of it' });
    expect(sockets).toHaveLength(2);
    pool.close();
  });

  it('keeps a connection for the next call unless the answer says close', async () => {
    const { path, sockets } = await serve((head, s) => {
      s.write(`HTTP/1.1 200 OK\r\ncontent-length: 1\r\n${head.includes('/last') ? 'connection: close\r\n' : ''}\r\nx`);
    });
    const pool = new WirePool(() => netConnect({ path }), false);
    await get(pool);
    await get(pool);
    await get(pool, '/last');
    await get(pool);
    expect(sockets).toHaveLength(2);
    pool.close();
  });

  it('opens at most maxSockets connections and queues the other calls', async () => {
    const { path, sockets } = await serve((head, s) => {
      setTimeout(() => s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${head.split(' ')[1]!.length}\r\n\r\n${head.split(' ')[1]}`), 20);
    });
    const pool = new WirePool(() => netConnect({ path }), false, 2);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => get(pool, `/n${i}`)));
    expect(answers.map((a) => a.body)).toEqual(['/n0', '/n1', '/n2', '/n3', '/n4', '/n5']);
    expect(sockets).toHaveLength(2);
    pool.close();
  });
});

describe('HttpTransport over the wire', () => {
  it('sends a call once more on a fresh connection when the daemon drops a kept-open one', async () => {
    const { path, sockets } = await serve((_head, s, nth) => {
      // The first connection answers once, then is dropped when the second call arrives on it.
      if (nth.onSocket === 2 && sockets.indexOf(s) === 0) {
        s.destroy();
        return;
      }
      s.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"ok":true}');
    });
    const transport = new HttpTransport({ kind: 'unix', socketPath: path, readonly: false, uri: `unix://${path}` }, undefined);
    expect(await transport.request('GET', '/a')).toEqual({ ok: true });
    expect(await transport.request('GET', '/b')).toEqual({ ok: true });
    expect(sockets).toHaveLength(2);
    transport.close();
  });

  it('reports a connection lost in the middle of an answer', async () => {
    const { path } = await serve((_head, s) => {
      s.end('HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n{"partial"');
    });
    const transport = new HttpTransport({ kind: 'unix', socketPath: path, readonly: false, uri: `unix://${path}` }, undefined);
    await expect(transport.request('GET', '/a')).rejects.toThrow('End of file while reading data: Input/output error');
    transport.close();
  });
});
