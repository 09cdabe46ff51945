// The run after which bin/virtnet writes the CLI's code caches at build time (VIRTNET_WRITE_CODE_CACHE=1):
// `virtnet -q net-dumpxml warm-up` against a stand-in for virtnetd on a scratch unix socket, which answers
// as virtnetd does (the x-virtnetd header, the XML). So the caches hold the code a read call runs when the
// daemon answers (parsing, the shell, the client's request and answer, printing), compiled: a call of it
// compiles less than after a warm-up that failed to connect (bench/README.md, "Issue 17").
// If the stand-in cannot listen, the warm-up runs without a daemon, as before.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const XML = '<network>\n  <name>warm-up</name>\n</network>\n';

/** Run `bin` (bin/virtnet) once with VIRTNET_WRITE_CODE_CACHE=1, as a successful net-dumpxml. */
export async function warmUpCli(bin) {
  const dir = mkdtempSync(join(tmpdir(), 'virtnet-warm-up-'));
  const sock = join(dir, 'virtnetd.sock');
  const server = createServer((req, res) => {
    const found = req.url === '/api/networks/warm-up/xml';
    const body = JSON.stringify(found ? { xml: XML } : { class: 'NO_SUPPORT', detail: 'warm-up', message: 'warm-up' });
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-virtnetd': 'warm-up' });
    res.end(body);
  });
  try {
    const listening = await new Promise((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(sock, () => resolve(true));
    });
    const uri = listening ? `unix://${sock}` : 'unix:///nonexistent/virtnetd.sock';
    await new Promise((resolve) => {
      const child = spawn(process.execPath, [bin, '-c', uri, '-q', 'net-dumpxml', 'warm-up'], {
        env: { ...process.env, VIRTNET_WRITE_CODE_CACHE: '1' },
        stdio: 'ignore',
      });
      child.once('error', resolve);
      child.once('close', resolve);
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}
