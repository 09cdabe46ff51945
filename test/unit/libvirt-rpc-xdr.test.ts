/**
 * The XDR layer, the framing and the procedures' layouts, byte for byte:
 * every fixture below is written out by hand from the protocol's
 * description (RFC 4506 and remote_protocol.x), then encoded and decoded.
 */
import { describe, expect, it } from 'vitest';
import { FrameSplitter, FramingError, MESSAGE_MAX, decodeMessage, encodeMessage } from '../../src/libvirt-rpc/framing.js';
import { NETWORK_EVENT_LIFECYCLE, PROCEDURES, UNSUPPORTED } from '../../src/libvirt-rpc/procedures.js';
import { MessageStatus, MessageType, REMOTE_PROGRAM, TypedParamType } from '../../src/libvirt-rpc/protocol.js';
import { nonnullNetwork, remoteError, typedParam, uuid } from '../../src/libvirt-rpc/types.js';
import { XdrError, XdrReader, array, decode, encode, hyper, int, optional, string, uhyper, uint } from '../../src/libvirt-rpc/xdr.js';

/** Hex with spaces and newlines for reading; they are dropped. */
const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

const NAT_UUID = '01b67a30-9d3c-49e8-89bf-ba673c5eb33c';
const NAT_REF_HEX = '00000003 6e617400 01b67a309d3c49e889bfba673c5eb33c';

describe('XDR basic types', () => {
  it('writes ints, unsigned ints and hypers big-endian', () => {
    expect(encode(int, -1)).toEqual(hex('ffffffff'));
    expect(encode(int, 283)).toEqual(hex('0000011b'));
    expect(encode(uint, 0x20008086)).toEqual(hex('20008086'));
    expect(encode(hyper, -2n)).toEqual(hex('ffffffff fffffffe'));
    expect(encode(uhyper, 9_000_000n)).toEqual(hex('00000000 00895440'));
    expect(() => encode(int, 2 ** 31)).toThrow(XdrError);
    expect(() => encode(uint, -1)).toThrow(XdrError);
  });

  it('pads strings to four bytes', () => {
    const s = string(16);
    expect(encode(s, '')).toEqual(hex('00000000'));
    expect(encode(s, 'abc')).toEqual(hex('00000003 61626300'));
    expect(encode(s, 'abcd')).toEqual(hex('00000004 61626364'));
    expect(encode(s, 'é')).toEqual(hex('00000002 c3a90000'));
    expect(decode(s, hex('00000005 68656c6c 6f000000'))).toBe('hello');
    expect(() => encode(s, 'x'.repeat(17))).toThrow(XdrError);
  });

  it('writes an optional value as a 0/1 word before it', () => {
    const o = optional(string(16));
    expect(encode(o, undefined)).toEqual(hex('00000000'));
    expect(encode(o, 'x')).toEqual(hex('00000001 00000001 78000000'));
    expect(decode(o, hex('00000000'))).toBeUndefined();
    expect(() => decode(o, hex('00000002'))).toThrow(/neither 0 nor 1/);
  });

  it('writes uuids as 16 raw bytes and reads them back as text', () => {
    expect(encode(uuid, NAT_UUID)).toEqual(hex('01b67a309d3c49e889bfba673c5eb33c'));
    expect(encode(uuid, NAT_UUID.toUpperCase())).toEqual(hex('01b67a309d3c49e889bfba673c5eb33c'));
    expect(decode(uuid, hex('01b67a309d3c49e889bfba673c5eb33c'))).toBe(NAT_UUID);
    expect(() => encode(uuid, 'not-a-uuid')).toThrow(XdrError);
  });

  it('refuses to read past the end, or counts larger than the maximum or than the bytes left', () => {
    expect(() => new XdrReader(hex('000000')).int()).toThrow(/ends early/);
    expect(() => decode(string(4), hex('00000005 68656c6c 6f000000'))).toThrow(/exceeds its maximum of 4/);
    expect(() => decode(string(16), hex('00000008 6869'))).toThrow(/ends early/);
    expect(() => decode(array(int, 100), hex('00000050 00000001'))).toThrow(/cannot fit/);
    expect(() => decode(array(int, 2), hex('00000003 00000001 00000002 00000003'))).toThrow(/exceeds its maximum of 2/);
  });
});

describe('the remote program types', () => {
  it('writes a network as name and uuid', () => {
    expect(encode(nonnullNetwork, { name: 'nat', uuid: NAT_UUID })).toEqual(hex(NAT_REF_HEX));
  });

  it("writes libvirt's error for an unknown network", () => {
    const message = "Network not found: no network with matching name 'x'";
    const bytes = encode(remoteError, {
      code: 43,
      domain: 19,
      message,
      level: 2,
      dom: undefined,
      str1: undefined,
      str2: undefined,
      str3: undefined,
      int1: -1,
      int2: -1,
      net: undefined,
    });
    const text = Buffer.from(message).toString('hex');
    expect(bytes).toEqual(hex(`0000002b 00000013 00000001 00000034 ${text} 00000002 00000000 00000000 00000000 00000000 ffffffff ffffffff 00000000`));
  });

  it('writes every typed parameter type after its discriminant', () => {
    const cases: [Parameters<typeof typedParam.encode>[1], string][] = [
      [{ field: 'a', type: TypedParamType.INT, value: -1 }, '00000001 ffffffff'],
      [{ field: 'a', type: TypedParamType.UINT, value: 7 }, '00000002 00000007'],
      [{ field: 'a', type: TypedParamType.LLONG, value: -1n }, '00000003 ffffffff ffffffff'],
      [{ field: 'a', type: TypedParamType.ULLONG, value: 1024n }, '00000004 00000000 00000400'],
      [{ field: 'a', type: TypedParamType.DOUBLE, value: 1.5 }, '00000005 3ff80000 00000000'],
      [{ field: 'a', type: TypedParamType.BOOLEAN, value: true }, '00000006 00000001'],
      [{ field: 'a', type: TypedParamType.STRING, value: 'on' }, '00000007 00000002 6f6e0000'],
    ];
    for (const [param, value] of cases) {
      const bytes = encode(typedParam, param);
      expect(bytes).toEqual(hex(`00000001 61000000 ${value}`));
      expect(decode(typedParam, bytes)).toEqual(param);
    }
    expect(() => decode(typedParam, hex('00000001 61000000 00000009'))).toThrow(/unknown typed parameter type 9/);
  });
});

describe('procedure layouts', () => {
  it('numbers every procedure once, as remote_protocol.x does', () => {
    const numbers = Object.values(PROCEDURES).map((p) => p.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const n of UNSUPPORTED.keys()) expect(numbers).not.toContain(n);
    expect(PROCEDURES.CONNECT_OPEN.number).toBe(1);
    expect(PROCEDURES.CONNECT_LIST_ALL_NETWORKS.number).toBe(283);
    expect(PROCEDURES.NETWORK_UPDATE.number).toBe(291);
    expect(PROCEDURES.NETWORK_GET_DHCP_LEASES.number).toBe(341);
    expect(PROCEDURES.NETWORK_LIST_ALL_PORTS.number).toBe(404);
    expect(NETWORK_EVENT_LIFECYCLE.number).toBe(315);
  });

  it('reads CONNECT_OPEN as virsh sends it', () => {
    const name = Buffer.from('network:///system').toString('hex');
    expect(decode(PROCEDURES.CONNECT_OPEN.args, hex(`00000001 00000011 ${name} 000000 00000000`))).toEqual({ name: 'network:///system', flags: 0 });
  });

  it("reads net-update's NETWORK_UPDATE: add-last ip-dhcp-host, parent -1, --live --config", () => {
    const xml = "<host mac='52:54:00:00:00:02'/>";
    const bytes = hex(`${NAT_REF_HEX} 00000003 00000004 ffffffff 0000001f ${Buffer.from(xml).toString('hex')} 00 00000003`);
    expect(decode(PROCEDURES.NETWORK_UPDATE.args, bytes)).toEqual({
      net: { name: 'nat', uuid: NAT_UUID },
      command: 3,
      section: 4,
      parentIndex: -1,
      xml,
      flags: 3,
    });
  });

  it('writes the list of all networks as the array then the count', () => {
    expect(encode(PROCEDURES.CONNECT_LIST_ALL_NETWORKS.ret, { nets: [{ name: 'nat', uuid: NAT_UUID }], ret: 1 })).toEqual(
      hex(`00000001 ${NAT_REF_HEX} 00000001`),
    );
    expect(encode(PROCEDURES.CONNECT_LIST_ALL_NETWORKS.ret, { nets: [], ret: 0 })).toEqual(hex('00000000 00000000'));
  });

  it('writes AUTH_LIST as [NONE]', () => {
    expect(encode(PROCEDURES.AUTH_LIST.ret, { types: [0] })).toEqual(hex('00000001 00000000'));
  });

  it("writes node info's model as 32 ints", () => {
    const model = [0x78, 0x38, 0x36, 0x5f, 0x36, 0x34, ...new Array<number>(26).fill(0)];
    const bytes = encode(PROCEDURES.NODE_GET_INFO.ret, { model, memory: 1024n, cpus: 2, mhz: 2000, nodes: 1, sockets: 1, cores: 2, threads: 1 });
    expect(bytes.length).toBe(32 * 4 + 8 + 6 * 4);
    expect(bytes.subarray(0, 8)).toEqual(hex('00000078 00000038'));
    expect(bytes.subarray(128)).toEqual(hex('00000000 00000400 00000002 000007d0 00000001 00000001 00000002 00000001'));
  });

  it('writes a DHCP lease with its optional strings', () => {
    const lease = {
      iface: 'virbr0',
      expirytime: 1700000000n,
      type: 0,
      mac: '52:54:00:00:00:01',
      iaid: undefined,
      ipaddr: '192.168.120.10',
      prefix: 24,
      hostname: 'vm1',
      clientid: undefined,
    };
    const s = (t: string): string => {
      const b = Buffer.from(t);
      return `${b.length.toString(16).padStart(8, '0')} ${b.toString('hex')}${'00'.repeat((4 - (b.length % 4)) % 4)}`;
    };
    const expected = hex(
      `00000001 ${s('virbr0')} 00000000 6553f100 00000000 00000001 ${s('52:54:00:00:00:01')} 00000000 ${s('192.168.120.10')} 00000018 00000001 ${s('vm1')} 00000000 00000001`,
    );
    expect(encode(PROCEDURES.NETWORK_GET_DHCP_LEASES.ret, { leases: [lease], ret: 1 })).toEqual(expected);
  });

  it('writes the lifecycle event: callback, network, event, detail', () => {
    expect(encode(NETWORK_EVENT_LIFECYCLE.body, { callbackID: 1, net: { name: 'nat', uuid: NAT_UUID }, event: 2, detail: 0 })).toEqual(
      hex(`00000001 ${NAT_REF_HEX} 00000002 00000000`),
    );
  });
});

describe('framing', () => {
  const header = { program: REMOTE_PROGRAM, version: 1, procedure: 66, type: MessageType.REPLY, serial: 0, status: MessageStatus.OK };
  const authReply = hex('00000024 20008086 00000001 00000042 00000001 00000000 00000000 00000001 00000000');

  it('frames a message: length (itself included), header, payload', () => {
    expect(encodeMessage(header, hex('00000001 00000000'))).toEqual(authReply);
    expect(encodeMessage({ ...header, procedure: 2 })).toEqual(hex('0000001c 20008086 00000001 00000002 00000001 00000000 00000000'));
    expect(decodeMessage(authReply.subarray(4))).toEqual({ header, payload: hex('00000001 00000000') });
  });

  it('cuts a stream into messages however it arrives', () => {
    const two = Buffer.concat([authReply, authReply]);
    const bytewise = new FrameSplitter();
    const frames: Buffer[] = [];
    for (const b of two) frames.push(...bytewise.push(Buffer.from([b])));
    expect(frames).toEqual([authReply.subarray(4), authReply.subarray(4)]);
    expect(bytewise.pending).toBe(0);
    const whole = new FrameSplitter();
    expect(whole.push(Buffer.concat([two, authReply.subarray(0, 10)]))).toHaveLength(2);
    expect(whole.pending).toBe(10);
  });

  it("refuses lengths shorter than a header or above libvirt's maximum", () => {
    expect(() => new FrameSplitter().push(hex('00000005 00'))).toThrow(FramingError);
    expect(() => new FrameSplitter().push(hex((MESSAGE_MAX + 1).toString(16).padStart(8, '0')))).toThrow(/exceeds/);
  });
});
