/**
 * The libvirt listener from a bare RPC client's point of view, over the
 * real network driver on the fake runtime: the handshake, errors as libvirt
 * words them, the read-only socket, keepalive, events, and a server that
 * survives whatever a client does (garbage, early EOF, too many clients).
 */
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../../src/libvirt-rpc/framing.js';
import { NETWORK_EVENT_LIFECYCLE } from '../../src/libvirt-rpc/procedures.js';
import { KEEPALIVE_PROGRAM, MessageStatus, MessageType, REMOTE_PROGRAM } from '../../src/libvirt-rpc/protocol.js';
import { LibvirtSocketBusyError, type LibvirtListener, libvirtSocketPaths, startLibvirtListener } from '../../src/libvirt-rpc/server.js';
import { remoteError } from '../../src/libvirt-rpc/types.js';
import { decode } from '../../src/libvirt-rpc/xdr.js';
import { TestRpcClient } from './support/libvirt-rpc-client.js';
import { startGuestTestDriver } from '../support/guest-testkit.js';
import { isolatedXml, natXml, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import { type DriverClient, driverClient } from '../support/driver-client.js';
import { pollUntil } from '../support/poll.js';
import type { NetworkDriverApi } from '../../src/contract/network-api.js';
import type { NetworkPortApi } from '../../src/contract/network-port-api.js';

const logger = pino({ level: 'silent' });
const until = (check: () => boolean, what: string): Promise<void> => pollUntil(check, { ms: 5000, everyMs: 10, what });

/** The methods of libvirt's port API, which a driver may lack. */
const PORT_API = { portList: true, portLookup: true, portCreate: true, portGetXml: true, portDelete: true } satisfies Record<
  keyof NetworkPortApi,
  true
>;

/** `driver` seen through the network API alone, as a driver without libvirt's port API is served. */
function withoutPortApi(driver: NetworkDriverApi): NetworkDriverApi {
  return new Proxy(driver, { get: (target, prop) => (prop in PORT_API ? undefined : Reflect.get(target, prop)) });
}

describe('the libvirt listener', () => {
  let root: string;
  let t: TestDriver;
  let driver: DriverClient;
  let listener: LibvirtListener;
  const clients: TestRpcClient[] = [];
  const start = async (extra: Partial<Parameters<typeof startLibvirtListener>[0]> = {}): Promise<LibvirtListener> => {
    listener = await startLibvirtListener({ root, driver, version: '1.2.3', logger, ...extra });
    return listener;
  };
  const connect = async (path = listener.socket): Promise<TestRpcClient> => {
    const c = await TestRpcClient.connect(path);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'vnt-rpc-'));
    t = await startTestDriver();
    driver = driverClient(t.driver);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await listener?.close();
    await t.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it("listens on libvirt's network daemon sockets with its modes", async () => {
    await start();
    expect(listener.socket).toBe(join(root, 'run/libvirt/virtnetworkd-sock'));
    expect(listener.readonlySocket).toBe(join(root, 'run/libvirt/virtnetworkd-sock-ro'));
    expect(statSync(listener.socket).mode & 0o777).toBe(0o600);
    expect(statSync(listener.readonlySocket).mode & 0o777).toBe(0o666);
    await listener.close();
    expect(() => statSync(listener.socket)).toThrow();
  });

  it('answers the handshake real clients send, then network calls', async () => {
    await start();
    const c = await connect();
    expect(await c.call('AUTH_LIST', undefined)).toEqual({ types: [0] });
    expect(await c.call('CONNECT_SUPPORTS_FEATURE', { feature: 10 })).toEqual({ supported: true });
    expect(await c.call('CONNECT_SUPPORTS_FEATURE', { feature: 7 })).toEqual({ supported: false });
    await c.call('CONNECT_OPEN', { name: 'network:///system', flags: 0 });
    expect(await c.call('CONNECT_GET_TYPE', undefined)).toEqual({ type: 'network' });
    expect(await c.call('CONNECT_GET_VERSION', undefined)).toEqual({ hv_ver: 1_002_003n });
    expect(await c.call('CONNECT_GET_URI', undefined)).toEqual({ uri: 'network:///system' });
    const { net } = await c.call('NETWORK_DEFINE_XML', { xml: isolatedXml('n1') });
    expect(net.name).toBe('n1');
    await c.call('NETWORK_CREATE', { net });
    expect(await c.call('NETWORK_IS_ACTIVE', { net })).toEqual({ active: true });
    expect(await c.call('CONNECT_LIST_ALL_NETWORKS', { need_results: 1, flags: 2 })).toEqual({ nets: [net], ret: 1 });
    expect(await c.call('CONNECT_LIST_ALL_NETWORKS', { need_results: 0, flags: 1 })).toEqual({ nets: [], ret: 0 });
    expect(await c.call('CONNECT_LIST_NETWORKS', { maxnames: 10 })).toEqual({ names: ['n1'] });
    expect(await c.call('CONNECT_NUM_OF_DEFINED_NETWORKS', undefined)).toEqual({ num: 0 });
    expect(driver.calls.find((x) => x.method === 'list')?.args).toEqual([{ active: true }]);
  });

  it('tells of each call it takes, not of keepalive messages (the idle collector counts calls as work)', async () => {
    let taken = 0;
    await start({ onCall: () => taken++ });
    const c = await connect();
    expect(await c.call('AUTH_LIST', undefined)).toEqual({ types: [0] });
    await c.call('CONNECT_OPEN', { name: 'network:///system', flags: 0 });
    expect(taken).toBe(2);
    const pong = c.nextUnsolicited();
    c.write(encodeMessage({ program: KEEPALIVE_PROGRAM, version: 1, procedure: 1, type: MessageType.MESSAGE, serial: 0, status: MessageStatus.OK }));
    await pong;
    expect(taken).toBe(2);
    expect(await c.call('CONNECT_NUM_OF_NETWORKS', undefined)).toEqual({ num: 0 });
    expect(taken).toBe(3);
  });

  it('finds networks by uuid as libvirt does, and says so when it is gone', async () => {
    await start();
    const c = await connect();
    await c.open();
    const { net } = await c.call('NETWORK_DEFINE_XML', { xml: isolatedXml('n1') });
    const stale = { name: 'n1', uuid: '00000000-0000-4000-8000-000000000009' };
    expect(await c.failure('NETWORK_CREATE', { net: stale })).toMatchObject({
      code: 43,
      domain: 19,
      level: 2,
      message: "Network not found: no network with matching uuid '00000000-0000-4000-8000-000000000009' (n1)",
    });
    expect(await c.failure('NETWORK_LOOKUP_BY_NAME', { name: 'nope' })).toMatchObject({
      code: 43,
      domain: 19,
      message: "Network not found: no network with matching name 'nope'",
      str1: "no network with matching name 'nope'",
    });
    expect(await c.failure('NETWORK_DESTROY', { net })).toMatchObject({
      code: 55,
      message: "Requested operation is not valid: network 'n1' is not active",
    });
  });

  it('refuses calls before CONNECT_OPEN and URIs it does not serve', async () => {
    await start();
    const c = await connect();
    expect(await c.failure('CONNECT_LIST_ALL_NETWORKS', { need_results: 1, flags: 0 })).toMatchObject({
      code: 1,
      domain: 7,
      message: 'internal error: connection not open',
    });
    expect(await c.failure('CONNECT_OPEN', { name: 'qemu:///system', flags: 0 })).toMatchObject({
      code: 5,
      message: 'no connection driver available for qemu:///system',
    });
    await c.call('CONNECT_OPEN', { name: 'network:///system', flags: 0 });
    expect(await c.call('CONNECT_LIST_ALL_NETWORKS', { need_results: 1, flags: 0 })).toEqual({ nets: [], ret: 0 });
  });

  it("answers unknown and unserved procedures with libvirt's unsupported error and keeps the connection", async () => {
    await start();
    const c = await connect();
    await c.open();
    const unknown = await c.raw(9999);
    expect(unknown.header).toMatchObject({ type: MessageType.REPLY, status: MessageStatus.ERROR, procedure: 9999, serial: 3 });
    expect(decode(remoteError, unknown.payload)).toMatchObject({
      code: 3,
      domain: 7,
      message: 'this function is not supported by the connection driver: unknown procedure: 9999',
    });
    const pools = decode(remoteError, (await c.raw(281)).payload);
    expect(pools).toMatchObject({
      code: 3,
      domain: 18,
      message: 'this function is not supported by the connection driver: virConnectListAllStoragePools',
    });
    const program = decode(remoteError, (await c.raw(1, Buffer.alloc(0), 0x11223344)).payload);
    expect(program).toMatchObject({ code: 39, domain: 7, message: `Cannot find program ${0x11223344} version 1` });
    const garbage = decode(remoteError, (await c.raw(46, Buffer.from([0, 0, 0, 9, 1]))).payload);
    expect(garbage).toMatchObject({ code: 39, message: 'Unable to decode message payload' });
    const fds = decode(remoteError, (await c.raw(52, Buffer.alloc(0), REMOTE_PROGRAM, 1, MessageType.CALL_WITH_FDS)).payload);
    expect(fds.code).toBe(39);
    expect(await c.call('CONNECT_NUM_OF_NETWORKS', undefined)).toEqual({ num: 0 });
  });

  it('serves reads but refuses changes on the read-only socket and on a read-only open', async () => {
    await start();
    const ro = await connect(listener.readonlySocket);
    await ro.open();
    expect(await ro.call('CONNECT_NUM_OF_NETWORKS', undefined)).toEqual({ num: 0 });
    expect(await ro.failure('NETWORK_DEFINE_XML', { xml: isolatedXml('n1') })).toMatchObject({
      code: 29,
      domain: 19,
      message: 'operation forbidden: read only access prevents virNetworkDefineXML',
    });
    const rw = await connect();
    await rw.open(true);
    expect(await rw.failure('NETWORK_CREATE_XML', { xml: isolatedXml('n1') })).toMatchObject({
      code: 29,
      message: 'operation forbidden: read only access prevents virNetworkCreateXML',
    });
    expect(driver.calls.filter((x) => x.method === 'define' || x.method === 'create')).toEqual([]);
    expect(await ro.call('CONNECT_NETWORK_EVENT_REGISTER_ANY', { eventID: 0, net: undefined })).toMatchObject({ callbackID: expect.any(Number) });
  });

  it('answers keepalive pings, and pings a client that uses keepalive until it stops answering', async () => {
    await start({ limits: { maxRequests: 5, maxQueuedBytes: 1 << 20, keepalive: { intervalMs: 40, count: 3 } } });
    // A client that never pings (no event loop) is not pinged, and may sit idle: it hears nothing while another is pinged out.
    const idle = await connect();
    await idle.open();
    const c = await connect();
    await c.open();
    const pong = c.nextUnsolicited();
    c.write(encodeMessage({ program: KEEPALIVE_PROGRAM, version: 1, procedure: 1, type: MessageType.MESSAGE, serial: 0, status: MessageStatus.OK }));
    expect((await pong)[0]?.header).toEqual({
      program: KEEPALIVE_PROGRAM,
      version: 1,
      procedure: 2,
      type: MessageType.MESSAGE,
      serial: 0,
      status: MessageStatus.OK,
    });
    const pings = await c.nextUnsolicited(3);
    for (const p of pings) expect(p.header).toMatchObject({ program: KEEPALIVE_PROGRAM, procedure: 1, type: MessageType.MESSAGE });
    await c.closed;
    await until(() => listener.clients === 1, 'the server to drop the client');
    expect(idle.unsolicited).toEqual([]);
    expect(await idle.call('CONNECT_NUM_OF_NETWORKS', undefined)).toEqual({ num: 0 });
  });

  it('sends lifecycle events to the callbacks that asked, and stops when told or gone', async () => {
    await start();
    const c = await connect();
    await c.open();
    const { callbackID: all } = await c.call('CONNECT_NETWORK_EVENT_REGISTER_ANY', { eventID: 0, net: undefined });
    const { net } = await c.call('NETWORK_DEFINE_XML', { xml: natXml('n1', '10.5.0') });
    const { callbackID: one } = await c.call('CONNECT_NETWORK_EVENT_REGISTER_ANY', { eventID: 0, net });
    expect(one).toBeGreaterThan(all);
    await c.call('NETWORK_DEFINE_XML', { xml: isolatedXml('n2') });
    await c.call('NETWORK_CREATE', { net });
    const events = (await c.nextUnsolicited(4)).map((m) => {
      expect(m.header).toMatchObject({
        program: REMOTE_PROGRAM,
        procedure: NETWORK_EVENT_LIFECYCLE.number,
        type: MessageType.MESSAGE,
        serial: 1,
        status: 0,
      });
      const e = decode(NETWORK_EVENT_LIFECYCLE.body, m.payload);
      return [e.callbackID, e.net.name, e.event];
    });
    expect(events).toEqual([
      [all, 'n1', 0],
      [all, 'n2', 0],
      [all, 'n1', 2],
      [one, 'n1', 2],
    ]);
    // 'Updated' has no libvirt counterpart: nothing is sent for it.
    await c.call('NETWORK_UPDATE', { net, command: 3, section: 4, parentIndex: -1, xml: "<host mac='52:54:00:00:00:07' ip='10.5.0.7'/>", flags: 0 });
    await c.call('CONNECT_NETWORK_EVENT_DEREGISTER_ANY', { callbackID: all });
    expect(await c.failure('CONNECT_NETWORK_EVENT_DEREGISTER_ANY', { callbackID: all })).toMatchObject({
      code: 39,
      message: `network event callback ${all} not registered`,
    });
    expect(await c.failure('CONNECT_NETWORK_EVENT_REGISTER_ANY', { eventID: 7, net: undefined })).toMatchObject({
      message: 'internal error: unsupported network event ID 7',
    });
    await c.call('NETWORK_DESTROY', { net });
    expect((await c.nextUnsolicited()).map((m) => decode(NETWORK_EVENT_LIFECYCLE.body, m.payload).callbackID)).toEqual([one]);
    expect(driver.subscribers).toBe(1);
    await c.close();
    await until(() => driver.subscribers === 0, 'the connection to unsubscribe');
  });

  it("serves libvirt's port API from a driver that has it, and says unsupported otherwise", async () => {
    await start({ driver: withoutPortApi(driver) });
    const c = await connect();
    await c.open();
    const { net } = await c.call('NETWORK_DEFINE_XML', { xml: isolatedXml('n1') });
    expect(await c.failure('NETWORK_LIST_ALL_PORTS', { network: net, need_results: 1, flags: 0 })).toMatchObject({
      code: 3,
      domain: 19,
      message: 'this function is not supported by the connection driver: virNetworkListAllPorts',
    });
    await listener.close();

    const t = await startGuestTestDriver();
    try {
      listener = await startLibvirtListener({ root, driver: t.driver, version: '1', logger });
      const p = await connect();
      await p.open();
      const { net: nat } = await p.call('NETWORK_DEFINE_XML', { xml: natXml('nat', '10.9.0') });
      await p.call('NETWORK_CREATE', { net: nat });
      const owner = '7a7b7c7d-0000-4000-8000-0000000000aa';
      const xml = `<networkport><uuid>7a7b7c7d-0000-4000-8000-000000000001</uuid><owner><name>vm</name><uuid>${owner}</uuid></owner><mac address='52:54:00:00:00:42'/></networkport>`;
      const { port } = await p.call('NETWORK_PORT_CREATE_XML', { network: nat, xml, flags: 0 });
      expect(port).toEqual({ net: nat, uuid: '7a7b7c7d-0000-4000-8000-000000000001' });
      expect(await p.call('NETWORK_LIST_ALL_PORTS', { network: nat, need_results: 1, flags: 0 })).toEqual({ ports: [port], ret: 1 });
      expect((await p.call('NETWORK_PORT_GET_XML_DESC', { port, flags: 0 })).xml).toContain("<plug type='network' bridge='virbr0'/>");
      const { params, nparams } = await p.call('NETWORK_PORT_GET_PARAMETERS', { port, nparams: 0, flags: 0 });
      expect(nparams).toBe(7);
      expect(params[0]).toEqual({ field: 'inbound.average', type: 2, value: 0 });
      expect(await p.failure('NETWORK_PORT_CREATE_XML', { network: nat, xml, flags: 4 })).toMatchObject({
        code: 8,
        message: 'invalid argument: unsupported flags (0x4) in function networkPortCreateXML',
      });
      await p.call('NETWORK_PORT_DELETE', { port, flags: 0 });
      expect(await p.failure('NETWORK_PORT_LOOKUP_BY_UUID', { network: nat, uuid: port.uuid })).toMatchObject({ code: 107, domain: 19 });
    } finally {
      await listener.close();
      await t.dispose();
    }
  });

  it('survives broken framing, half messages, calls cut off by EOF, and keeps serving', async () => {
    await start();
    const broken = await connect();
    broken.write(Buffer.from([0, 0, 0, 5, 1, 2, 3, 4, 5]));
    await broken.closed;
    const half = await connect();
    half.write(encodeMessage({ program: REMOTE_PROGRAM, version: 1, procedure: 66, type: MessageType.CALL, serial: 0, status: 0 }).subarray(0, 13));
    await half.close();
    const hasty = await connect();
    await hasty.open();
    void hasty.raw(41, Buffer.alloc(0));
    hasty.socket.destroy();
    const after = await connect();
    await after.open();
    expect(await after.call('CONNECT_NUM_OF_NETWORKS', undefined)).toEqual({ num: 0 });
  });

  it('closes connections beyond its client limit on arrival', async () => {
    await start({ policy: { maxConnections: 2, idleTimeoutMs: 0 } });
    const a = await connect();
    const b = await connect();
    await a.open();
    await b.open();
    const c = await connect();
    await c.closed;
    await a.close();
    await until(() => listener.clients === 1, 'one client left');
    const d = await connect();
    await d.open();
    expect(listener.clients).toBe(2);
  });

  it('bounds clients of one uid on the read-only socket only, as the REST sockets are bounded', async () => {
    const everyoneIsUid1000 = { uidsOf: async (inodes: number[]) => new Map(inodes.map((i) => [i, 1000] as [number, number])) };
    await start({ policy: { maxConnections: 10, maxPerUid: 2, idleTimeoutMs: 0 }, peers: everyoneIsUid1000 });
    const ro = [await connect(listener.readonlySocket), await connect(listener.readonlySocket)];
    for (const c of ro) await c.open();
    const third = await connect(listener.readonlySocket);
    await third.closed;
    const rw = [await connect(), await connect(), await connect()];
    for (const c of rw) await c.open();
    expect(listener.clients).toBe(5);
  });

  it('replaces a stale socket, but refuses one a daemon answers on and anything that is not a socket', async () => {
    const { socket, readonlySocket } = libvirtSocketPaths(root);
    // A live daemon on the read-write path.
    await start();
    await expect(startLibvirtListener({ root, driver, version: '1', logger })).rejects.toThrow(LibvirtSocketBusyError);
    await expect(startLibvirtListener({ root, driver, version: '1', logger })).rejects.toThrow(
      `a libvirt network daemon already answers on ${socket}`,
    );
    // The failed attempt left the live one alone.
    const c = await connect();
    await c.open();
    await listener.close();
    // A stale socket file (nobody listening) is replaced.
    const stale = createServer();
    await new Promise<void>((r) => stale.listen(socket, () => r()));
    await new Promise<void>((r) => stale.close(() => r()));
    writeFileSync(readonlySocket, '');
    await expect(start()).rejects.toThrow(`${readonlySocket} exists and is not a socket`);
    rmSync(readonlySocket);
    const sock = createServer();
    await new Promise<void>((r) => sock.listen(socket, () => r()));
    sock.close();
    await start();
    const d = await connect();
    await d.open();
  });
});
