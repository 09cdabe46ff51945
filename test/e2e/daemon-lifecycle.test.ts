/**
 * The real virtnetd process (bundled from src/api/main.ts) over a temporary
 * root, realising networks in a test namespace (--netns): its sockets and
 * their modes, the read-only socket refusing changes (also to a user who is
 * not root), the token required on TCP, a second daemon on the same root
 * refused, events over SSE, and SIGTERM leaving a running network (bridge,
 * dnsmasq) up for the next daemon to adopt.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../support/poll.js';
import { connect } from '../../src/client/index.js';
import type { DriverEvent } from '../../src/contract/network-api.js';
import { VirError } from '../../src/util/errors.js';
import { natXml as natXmlOn } from '../support/network-testkit.js';
import { canUseNetns, inNetns, netnsPids } from './netns.js';
import { daemonSite, spawnDaemon, startServing } from './daemon-process.js';

const root = canUseNetns();

const natXml = (name: string, bridge: string, third: number): string => natXmlOn(name, `192.168.${third}`, { bridge, range: [10, 20] });

function linkExists(ns: string, dev: string): boolean {
  return spawnSync('ip', ['-n', ns, 'link', 'show', 'dev', dev], { stdio: 'ignore' }).status === 0;
}

function rawGet(options: http.RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ method: 'GET', ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!root)('virtnetd, the process', () => {
  const site = daemonSite('vd', { open: true });

  it('serves its sockets with the right modes, and TCP only with the token', async () => {
    const r = join(site.dir, 'r1');
    const d = await startServing(['--root', r, '--netns', site.ns, '--listen', '127.0.0.1:0']);
    const run = join(r, 'run/virtnet');
    expect(d.socket).toBe(join(run, 'virtnetd.sock'));
    expect(d.readonlySocket).toBe(join(run, 'virtnetd-ro.sock'));
    expect(statSync(d.socket).isSocket()).toBe(true);
    expect(statSync(d.socket).mode & 0o777).toBe(0o600);
    expect(statSync(d.readonlySocket).mode & 0o777).toBe(0o666);
    expect(statSync(join(run, 'token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(run, 'token'), 'utf8').trim()).toBe(d.token);
    expect(readFileSync(join(run, 'virtnetd.pid'), 'utf8').trim()).toBe(String(d.pid));

    const noToken = await rawGet({ host: '127.0.0.1', port: d.port, path: '/api/networks' });
    expect(noToken.status).toBe(401);
    expect(JSON.parse(noToken.body)).toMatchObject({ class: 'AUTH_FAILED' });
    const wrong = await rawGet({ host: '127.0.0.1', port: d.port, path: '/api/networks', headers: { authorization: `Bearer ${'0'.repeat(64)}` } });
    expect(wrong.status).toBe(401);
    const ok = await rawGet({ host: '127.0.0.1', port: d.port, path: '/api/networks', headers: { authorization: `Bearer ${d.token}` } });
    expect(ok).toEqual({ status: 200, body: '[]' });
    const c = await connect({ uri: `http://127.0.0.1:${d.port}`, token: d.token! });
    expect(await c.list()).toEqual([]);
    await c.close();

    const doc = JSON.parse((await rawGet({ socketPath: d.socket, path: '/openapi.json' })).body);
    expect(Object.keys(doc.paths)).toContain('/api/networks/{name}/start');

    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    for (const f of ['virtnetd.sock', 'virtnetd-ro.sock', 'virtnetd.pid']) expect([f, existsSync(join(run, f))]).toEqual([f, false]);
    // The token stays for the next start (no client, no console session needs to log in again).
    expect(readFileSync(join(run, 'token'), 'utf8').trim()).toBe(d.token);
  });

  it('refuses a second daemon on the same root, and the first keeps serving', async () => {
    const r = join(site.dir, 'r2');
    const first = await startServing(['--root', r, '--netns', site.ns]);
    const second = await spawnDaemon(['--root', r, '--netns', site.ns]);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toBe(`virtnetd: another virtnetd is already running for ${r} (pid ${first.pid})\n`);
    expect(second.stdout()).toBe('');
    const c = await connect({ uri: `unix://${first.socket}` });
    expect(await c.list()).toEqual([]);
    await c.close();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('refuses changes on the read-only socket, to root and to any user', async () => {
    const r = join(site.dir, 'r3');
    const d = await startServing(['--root', r, '--netns', site.ns]);
    const rw = await connect({ uri: `unix://${d.socket}` });
    await rw.define(natXml('ro1', 'vbr-ro1', 161));
    const ro = await connect({ uri: `unix://${d.socket}`, readonly: true });
    expect((await ro.list()).map((n) => n.name)).toEqual(['ro1']);
    expect(await ro.getXml('ro1')).toContain('<name>ro1</name>');
    const err = await ro.start('ro1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VirError);
    expect((err as VirError).message).toBe('operation forbidden: read only access prevents virNetworkCreate');
    expect(linkExists(site.ns, 'vbr-ro1')).toBe(false);

    // A user who is not root reaches the read-only socket, and not the read-write one.
    const probe = (socketPath: string, method: string, path: string): string => {
      const script = `const r=require('http').request({socketPath:${JSON.stringify(socketPath)},method:${JSON.stringify(method)},path:${JSON.stringify(path)}},res=>{let b='';res.on('data',c=>b+=c);res.on('end',()=>console.log(res.statusCode+' '+b))});r.on('error',e=>console.log(e.code));r.end();`;
      return spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' }).stdout.trim();
    };
    expect(probe(d.readonlySocket, 'GET', '/api/networks/ro1')).toMatch(/^200 \{"name":"ro1"/);
    expect(probe(d.readonlySocket, 'POST', '/api/networks/ro1/start')).toBe(
      '403 {"class":"OPERATION_DENIED","detail":"read only access prevents virNetworkCreate","message":"operation forbidden: read only access prevents virNetworkCreate","code":"access.readOnly","params":{"api":"virNetworkCreate"}}',
    );
    expect(probe(d.socket, 'GET', '/api/networks')).toBe('EACCES');

    await rw.undefine('ro1');
    await rw.close();
    await ro.close();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('streams events, and on SIGTERM leaves a running network up for the next daemon to adopt', async () => {
    const r = join(site.dir, 'r4');
    const d1 = await startServing(['--root', r, '--netns', site.ns]);
    const c1 = await connect({ uri: `unix://${d1.socket}` });
    const events: DriverEvent[] = [];
    c1.subscribe((e) => events.push(e));
    await c1.eventsReady();
    await c1.define(natXml('keep', 'vbr-keep', 162));
    await c1.start('keep');
    expect(linkExists(site.ns, 'vbr-keep')).toBe(true);
    const dnsmasq = Number(readFileSync(join(r, 'run/virtnet/networks/keep.pid'), 'utf8').trim());
    expect(netnsPids(site.ns)).toContain(dnsmasq);
    await pollUntil(() => events.length >= 2, { ms: 10_000, everyMs: 10, what: 'the Defined and Started events' });
    expect(events.map((e) => (e.kind === 'lifecycle' ? `${e.event} ${e.network.name}` : e.kind))).toEqual(['Defined keep', 'Started keep']);
    await c1.close();

    d1.child.kill('SIGTERM');
    expect(await d1.exited).toBe(0);
    expect(existsSync(d1.socket)).toBe(false);
    // The network is still up: bridge, address, dnsmasq.
    expect(linkExists(site.ns, 'vbr-keep')).toBe(true);
    expect(inNetns(site.ns, 'ip', ['-4', '-o', 'addr', 'show', 'dev', 'vbr-keep'])).toContain('192.168.162.1/24');
    expect(netnsPids(site.ns)).toContain(dnsmasq);

    const d2 = await startServing(['--root', r, '--netns', site.ns]);
    const c2 = await connect({ uri: `unix://${d2.socket}` });
    expect(await c2.lookupByName('keep')).toMatchObject({ name: 'keep', active: true, persistent: true, bridge: 'vbr-keep' });
    await c2.destroy('keep');
    expect(linkExists(site.ns, 'vbr-keep')).toBe(false);
    expect(netnsPids(site.ns)).not.toContain(dnsmasq);
    await c2.undefine('keep');
    await c2.close();
    d2.child.kill('SIGTERM');
    expect(await d2.exited).toBe(0);
  });

  it('stops cleanly when SIGTERM comes while it is still starting', async () => {
    const r = join(site.dir, 'r6');
    const d = await spawnDaemon(['--root', r, '--netns', site.ns]);
    // "driver ready" is logged just before the HTTP servers are built.
    await pollUntil(() => d.stderr().includes('"msg":"driver ready"'), { ms: 15_000, everyMs: 5, what: 'the "driver ready" line' });
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    for (const f of ['virtnetd.sock', 'virtnetd-ro.sock', 'virtnetd.pid']) expect([f, existsSync(join(r, 'run/virtnet', f))]).toEqual([f, false]);
  });

  it('says what is wrong when it cannot start', async () => {
    const d = await spawnDaemon(['--root', join(site.dir, 'r5'), '--netns', 'vnt-no-such-ns']);
    expect(await d.exited).toBe(1);
    expect(d.stderr()).toMatch(
      /virtnetd: failed to start: network namespace 'vnt-no-such-ns' does not exist \(create it with: ip netns add vnt-no-such-ns\)\n$/,
    );
    expect(d.stderr()).not.toMatch(/\n\s+at /);
    const bad = await spawnDaemon(['--frobnicate']);
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toBe("virtnetd: unrecognized option '--frobnicate'\nTry 'virtnetd --help' for more information.\n");
  });
});

describe('bin/virtnetd', () => {
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  const bundled = existsSync(join(repo, 'dist/virtnetd.js'));

  // npm test builds dist/ before running the tests; a bare vitest run without a build skips this.
  it.skipIf(!bundled)('runs the bundle: --help and --version', () => {
    const help = spawnSync(join(repo, 'bin/virtnetd'), ['--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^\nUsage:\n {2}virtnetd \[options\]\n/);
    expect(help.stdout).toContain('--sandbox-cleanup');
    const version = spawnSync(join(repo, 'bin/virtnetd'), ['--version'], { encoding: 'utf8' });
    expect(version.stdout).toMatch(/^virtnetd \(virtnet\) \d+\.\d+\.\d+\n$/);
    expect(statSync(join(repo, 'bin/virtnetd')).mode & 0o111).toBe(0o111);
  });

  // Code a daemon carries stays in its heap for good: the YAML library @fastify/swagger requires is never called.
  it.skipIf(!bundled)('carries no YAML library, only its stand-in (scripts/yaml-absent.cjs)', () => {
    const bundle = readFileSync(join(repo, 'dist/virtnetd.js'), 'utf8');
    expect(bundle).toContain('virtnetd serves its OpenAPI document as JSON only');
    expect(bundle).not.toContain('YAMLParseError');
  });
});
