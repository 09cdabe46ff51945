/**
 * Which daemon a URI names (src/client/http-uri.ts), the SSE parser the
 * client reads events with, the errno texts, and the client's import graph
 * (it must stay free of fastify, typebox and libxml2 so the CLI starts fast).
 */
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { libvirtSocketFor, libvirtUri, resolveTarget } from '../../src/client/http-uri.js';
import { SseParser } from '../../src/client/http-events.js';
import { connectError, errorFromResponse, strerror } from '../../src/client/http-errors.js';
import { formatEvent, READY_FRAME, HEARTBEAT_FRAME } from '../../src/api/events.js';
import type { VirError } from '../../src/util/errors.js';
import type { DriverEvent } from '../../src/contract/network-api.js';

describe('resolveTarget', () => {
  const env = {};
  it('defaults to /run/virtnet/virtnetd.sock, or its read-only neighbour', () => {
    expect(resolveTarget(undefined, false, env)).toMatchObject({ kind: 'unix', socketPath: '/run/virtnet/virtnetd.sock', readonly: false });
    expect(resolveTarget(undefined, true, env)).toMatchObject({ kind: 'unix', socketPath: '/run/virtnet/virtnetd-ro.sock', readonly: true });
  });

  it('takes $VIRTNET_DEFAULT_URI when no URI is given', () => {
    const e = { VIRTNET_DEFAULT_URI: 'unix:///tmp/x/virtnetd.sock' };
    expect(resolveTarget(undefined, false, e)).toMatchObject({ socketPath: '/tmp/x/virtnetd.sock' });
    expect(resolveTarget(undefined, true, e)).toMatchObject({ socketPath: '/tmp/x/virtnetd-ro.sock' });
    expect(resolveTarget('unix:///y/virtnetd.sock', false, e)).toMatchObject({ socketPath: '/y/virtnetd.sock' });
  });

  it('reads unix:// and http:// URIs', () => {
    expect(resolveTarget('unix:///srv/run/virtnet/virtnetd.sock', false, env)).toMatchObject({
      kind: 'unix',
      socketPath: '/srv/run/virtnet/virtnetd.sock',
    });
    expect(resolveTarget('http://127.0.0.1:8123', false, env)).toMatchObject({ kind: 'tcp', host: '127.0.0.1', port: 8123 });
    expect(resolveTarget('http://[::1]:9000/', true, env)).toMatchObject({ kind: 'tcp', host: '::1', port: 9000, readonly: true, tls: false });
    expect(resolveTarget('https://virtnet.example', false, env)).toMatchObject({ kind: 'tcp', host: 'virtnet.example', port: 443, tls: true });
  });

  it("maps libvirt's local URIs, as tutorials type them, to the default or given socket", () => {
    for (const uri of ['qemu:///system', 'network:///system', 'qemu+unix:///system', 'lxc:///system']) {
      expect(resolveTarget(uri, false, env)).toMatchObject({ kind: 'unix', socketPath: '/run/virtnet/virtnetd.sock' });
    }
    expect(resolveTarget('qemu+unix:///system?socket=/tmp/r/virtnetd.sock', true, env)).toMatchObject({ socketPath: '/tmp/r/virtnetd-ro.sock' });
  });

  it("takes the URI virsh uses for virtnetd's libvirt socket to the same daemon's own socket", () => {
    expect(resolveTarget('network:///system?socket=/srv/run/libvirt/virtnetworkd-sock', false, env)).toMatchObject({
      socketPath: '/srv/run/virtnet/virtnetd.sock',
      readonly: false,
    });
    expect(resolveTarget('network:///system?socket=/srv/run/libvirt/virtnetworkd-sock-ro', true, env)).toMatchObject({
      socketPath: '/srv/run/virtnet/virtnetd-ro.sock',
    });
    expect(resolveTarget('network:///system?socket=/srv/elsewhere/virtnetworkd-sock', false, env)).toMatchObject({
      socketPath: '/srv/elsewhere/virtnetworkd-sock',
    });
    expect(libvirtSocketFor('/srv/run/virtnet/virtnetd.sock')).toBe('/srv/run/libvirt/virtnetworkd-sock');
    expect(libvirtSocketFor('/tmp/x/virtnetd.sock')).toBeUndefined();
    expect(libvirtUri('/run/libvirt/virtnetworkd-sock')).toBe('network:///system?socket=/run/libvirt/virtnetworkd-sock');
  });

  it("refuses what virsh refuses, with virsh's text", () => {
    const fail = (uri: string): string => {
      try {
        resolveTarget(uri, false, env);
      } catch (e) {
        return (e as VirError).message;
      }
      return 'no error';
    };
    expect(fail('foo:///bar')).toBe('no connection driver available for foo:///bar');
    expect(fail('relative/path')).toBe("no connection driver available for URI 'relative/path' does not include a driver name");
    expect(fail('unix://relative.sock')).toMatch(
      /^no connection driver available for URI 'unix:\/\/relative.sock': the socket path must be absolute$/,
    );
  });
});

describe('SSE framing', () => {
  const ev: DriverEvent = { kind: 'lifecycle', event: 'Started', detail: 0, network: { name: 'a\nb', uuid: 'u' }, time: 1 };

  it('frames an event as one data line the parser reads back', () => {
    const frame = formatEvent(ev, 7);
    expect(frame).toBe(`id: 7\ndata: ${JSON.stringify(ev)}\n\n`);
    const msgs = new SseParser().push(READY_FRAME + HEARTBEAT_FRAME + frame);
    expect(msgs).toEqual([
      { event: 'ready', data: '{}' },
      { event: 'message', data: JSON.stringify(ev), id: '7' },
    ]);
    expect(JSON.parse(msgs[1]?.data ?? '')).toEqual(ev);
  });

  it('survives any split of the stream into chunks, and CRLF or CR line ends', () => {
    const text = READY_FRAME + formatEvent(ev, 1) + HEARTBEAT_FRAME + formatEvent(ev, 2);
    for (const eol of ['\n', '\r\n', '\r']) {
      const t = text.replace(/\n/g, eol);
      for (let cut = 0; cut <= t.length; cut++) {
        const p = new SseParser();
        const msgs = [...p.push(t.slice(0, cut)), ...p.push(t.slice(cut))];
        expect(msgs.map((m) => m.id ?? m.event)).toEqual(['ready', '1', '2']);
      }
    }
  });

  it('joins multi-line data and ignores comments and unknown fields', () => {
    expect(new SseParser().push(': hi\nfoo: bar\ndata: a\ndata:b\n\n')).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
});

describe('errors', () => {
  it('uses glibc texts for errno codes', () => {
    const err = (code: string, message = ''): NodeJS.ErrnoException => Object.assign(new Error(message), { code });
    expect(strerror(err('EACCES'))).toBe('Permission denied');
    expect(strerror(err('ECONNREFUSED'))).toBe('Connection refused');
    expect(connectError({ kind: 'unix', socketPath: '/s', readonly: false, uri: '' }, err('EACCES')).message).toBe(
      "Failed to connect socket to '/s': Permission denied",
    );
  });

  it('rebuilds VirErrors from error bodies, and copes with foreign ones', () => {
    const e = errorFromResponse(409, { class: 'OPERATION_INVALID', detail: 'network is already active', message: 'x' });
    expect([e.errorClass, e.message]).toEqual(['OPERATION_INVALID', 'Requested operation is not valid: network is already active']);
    expect(errorFromResponse(502, undefined).message).toBe('internal error: virtnetd answered with HTTP status 502');
    expect(errorFromResponse(400, { class: 'NOT_A_CLASS', detail: 'd', message: 'm' }).message).toBe('internal error: m');
  });
});

describe("the client's import graph", () => {
  it('holds no fastify, typebox, pino or libxml2, and stays small', async () => {
    const result = await build({
      entryPoints: ['src/client/index.ts'],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => /node_modules|src\/(api|conf|xml|host|plan)\//.test(i))).toEqual([]);
    const bytes = result.outputFiles[0]?.contents.length ?? Infinity;
    expect(bytes).toBeLessThan(40_000);
  });
});
