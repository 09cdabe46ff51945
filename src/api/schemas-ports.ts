/**
 * JSON schemas (typebox) of virtnetd's network port routes (routes-ports.ts):
 * libvirt's <networkport> document as JSON, mirroring NetworkPortDef
 * (src/conf/network/port-types.ts); the checks at the bottom keep the two in step.
 */
import { Type, type Static } from 'typebox';
import type { NetworkPortDef } from '../contract/network-port-api.js';

const strict = { additionalProperties: false } as const;

const RateSchema = Type.Object({
  average: Type.Optional(Type.Number()),
  peak: Type.Optional(Type.Number()),
  floor: Type.Optional(Type.Number()),
  burst: Type.Optional(Type.Number()),
});

const BandwidthSchema = Type.Object({
  classId: Type.Optional(Type.Integer()),
  inbound: Type.Optional(RateSchema),
  outbound: Type.Optional(RateSchema),
});

const VlanSchema = Type.Object({
  trunk: Type.Optional(Type.Boolean()),
  tags: Type.Array(Type.Object({ id: Type.Integer(), nativeMode: Type.Optional(Type.Union([Type.Literal('tagged'), Type.Literal('untagged')])) })),
});

const VirtualPortSchema = Type.Object({
  type: Type.Optional(Type.Union([Type.Literal('802.1Qbg'), Type.Literal('802.1Qbh'), Type.Literal('openvswitch'), Type.Literal('midonet')])),
  parameters: Type.Optional(
    Type.Object({
      managerId: Type.Optional(Type.Integer()),
      typeId: Type.Optional(Type.Integer()),
      typeIdVersion: Type.Optional(Type.Integer()),
      instanceId: Type.Optional(Type.String()),
      profileId: Type.Optional(Type.String()),
      interfaceId: Type.Optional(Type.String()),
    }),
  ),
});

const MacTableManagerSchema = Type.Optional(Type.Union([Type.Literal('kernel'), Type.Literal('libvirt')]));

const PlugSchema = Type.Union([
  Type.Object({ type: Type.Literal('network'), bridge: Type.String(), macTableManager: MacTableManagerSchema }),
  Type.Object({ type: Type.Literal('bridge'), bridge: Type.String(), macTableManager: MacTableManagerSchema }),
  Type.Object({
    type: Type.Literal('direct'),
    dev: Type.String(),
    mode: Type.Union([Type.Literal('vepa'), Type.Literal('private'), Type.Literal('bridge'), Type.Literal('passthrough')]),
  }),
]);

export const NetworkPortSchema = Type.Object(
  {
    uuid: Type.String(),
    owner: Type.Object({ name: Type.String(), uuid: Type.String() }),
    group: Type.Optional(Type.String()),
    mac: Type.String(),
    virtualPort: Type.Optional(VirtualPortSchema),
    bandwidth: Type.Optional(BandwidthSchema),
    vlan: Type.Optional(VlanSchema),
    isolated: Type.Optional(Type.Boolean()),
    trustGuestRxFilters: Type.Optional(Type.Boolean()),
    plug: Type.Optional(PlugSchema),
  },
  { title: 'NetworkPort', description: "A network's port as libvirt's <networkport> document describes it: owner, MAC, settings, plug." },
);

export const NetworkPortListSchema = Type.Array(NetworkPortSchema);

export const PortCreateBodySchema = Type.Object(
  {
    xml: Type.String({ description: 'A <networkport> document.' }),
    validate: Type.Optional(Type.Boolean({ description: 'virsh net-port-create --validate (accepted; the document is checked by the parser).' })),
    reclaim: Type.Optional(Type.Boolean({ description: 'VIR_NETWORK_PORT_CREATE_RECLAIM: the port existed before; its plug is given and kept.' })),
  },
  strict,
);

export const PortParamsSchema = Type.Object({ name: Type.String(), uuid: Type.String() }, strict);

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const checks: [Same<Static<typeof NetworkPortSchema>, NetworkPortDef>] = [true];
void checks;
