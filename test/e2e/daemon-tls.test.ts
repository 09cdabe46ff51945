/**
 * The real virtnetd serving its TCP listener over TLS (--tls-cert,
 * --tls-key; issue 10, point 8): HTTPS with the given certificate, no plain
 * HTTP on that port, the console's cookie marked Secure, and the Host
 * allow-list taking the certificate's names. The certificate is a
 * throwaway self-signed one made with openssl for 127.0.0.1 and
 * virtnet.test.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { canUseNetns } from './netns.js';
import { daemonSite, spawnDaemon } from './daemon-process.js';
import { cliBundle } from './cli-harness.js';

const usable = canUseNetns() && spawnSync('openssl', ['version']).status === 0;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(mod: typeof http | typeof https, options: https.RequestOptions, body?: string): Promise<Answer | string> {
  return new Promise((resolve) => {
    const req = mod.request(
      { ...options, ...(body ? { method: 'POST', headers: { 'content-type': 'application/json', ...options.headers } } : {}) },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
    req.end(body);
  });
}

describe.skipIf(!usable)('virtnetd over TLS', () => {
  const site = daemonSite('tls');
  let cert: string;
  /** A daemon on ROOT (in the scratch folder) serving HTTPS with cert.pem and KEY. */
  const spawnTlsDaemon = (root: string, key: string) =>
    spawnDaemon([
      '--root',
      join(site.dir, root),
      '--netns',
      site.ns,
      '--no-libvirt-socket',
      '--listen',
      '127.0.0.1:0',
      '--tls-cert',
      join(site.dir, 'cert.pem'),
      '--tls-key',
      join(site.dir, key),
    ]);

  beforeAll(() => {
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(site.dir, 'key.pem'),
        '-out',
        join(site.dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=virtnet.test',
        '-addext',
        'subjectAltName=DNS:virtnet.test,IP:127.0.0.1',
      ],
      { encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
    cert = readFileSync(join(site.dir, 'cert.pem'), 'utf8');
  });

  it('serves HTTPS with the certificate, Secure console cookies, and the certificate names as Host', async () => {
    const d = await spawnTlsDaemon('r', 'key.pem');
    const m = await d.waitFor(/serving https:\/\/127\.0\.0\.1:(\d+) \(every request needs 'Authorization: Bearer ([0-9a-f]+)'\)/);
    const port = Number(m[1]);
    const token = m[2] ?? '';
    expect(d.stdout()).toContain(`web console at https://127.0.0.1:${port}/`);
    const tls = { host: '127.0.0.1', port, ca: cert, servername: 'virtnet.test' };

    const list = await request(https, { ...tls, path: '/api/networks', headers: { authorization: `Bearer ${token}` } });
    expect(list).toMatchObject({ status: 200, body: '[]' });
    // No plain HTTP on that port.
    const plain = await request(http, { host: '127.0.0.1', port, path: '/api/networks', headers: { authorization: `Bearer ${token}` } });
    expect(typeof plain === 'string' || plain.status === 400).toBe(true);

    const login = (await request(
      https,
      { ...tls, path: '/api/console/login', headers: { host: `virtnet.test:${port}`, origin: `https://virtnet.test:${port}` } },
      JSON.stringify({ token }),
    )) as Answer;
    expect(login.status).toBe(200);
    expect(String(login.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    const rebound = (await request(https, { ...tls, path: '/', headers: { host: `attacker.example:${port}` } })) as Answer;
    expect(rebound.status).toBe(421);

    // The CLI speaks https:// with the certificate's CA from NODE_EXTRA_CA_CERTS.
    const cli = spawnSync(process.execPath, [await cliBundle(), '-c', `https://127.0.0.1:${port}`, 'net-list', '--all'], {
      encoding: 'utf8',
      env: { ...process.env, VIRTNET_TOKEN: token, NODE_EXTRA_CA_CERTS: join(site.dir, 'cert.pem') },
    });
    expect([cli.status, cli.stderr, cli.stdout]).toEqual([
      0,
      '',
      ' Name   State   Autostart   Persistent\n----------------------------------------\n\n',
    ]);

    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('refuses to start with a key that does not fit, naming the files', async () => {
    const other = spawnSync('openssl', [
      'genpkey',
      '-algorithm',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-out',
      join(site.dir, 'other.pem'),
    ]);
    expect(other.status).toBe(0);
    const d = await spawnTlsDaemon('r2', 'other.pem');
    expect(await d.exited).toBe(1);
    expect(d.stderr().trim().split('\n').pop()).toMatch(
      new RegExp(
        `^virtnetd: failed to start: cannot use the TLS certificate '${join(site.dir, 'cert.pem')}' and key '${join(site.dir, 'other.pem')}': .*key values mismatch$`,
      ),
    );
    // Nothing was started: no driver, no listener.
    expect(d.stderr()).not.toContain('driver ready');
  });
});
