/**
 * JSON schemas (typebox) of virtnetd's guest routes, beside the network
 * ones (schemas.ts): request validation, response serialization (fields
 * not in a schema never leave the daemon) and the OpenAPI document. They
 * mirror src/contract/guest-api.ts; the `satisfies`-style checks at the
 * bottom keep the two in step. Request objects reject unknown fields.
 */
import { Type, type Static } from 'typebox';
import type {
  AffectFlags,
  BridgePorts,
  GuestEvent,
  GuestExecResult,
  GuestInfo,
  GuestInterface,
  GuestInterfaceAddress,
  GuestListFilter,
} from '../contract/guest-api.js';

const strict = { additionalProperties: false } as const;

export const GuestInfoSchema = Type.Object(
  {
    name: Type.String(),
    uuid: Type.String(),
    type: Type.Union([Type.Literal('netns'), Type.Literal('tap')]),
    active: Type.Boolean(),
    persistent: Type.Boolean(),
    id: Type.Optional(Type.Integer({ description: "The running guest's id (virsh list's Id column)." })),
    title: Type.Optional(Type.String()),
  },
  { title: 'GuestInfo', description: 'What virsh list and dominfo show about a guest.' },
);

export const GuestListSchema = Type.Array(GuestInfoSchema);

export const GuestListQuerySchema = Type.Object(
  { active: Type.Optional(Type.Boolean()), inactive: Type.Optional(Type.Boolean()) },
  { ...strict, description: 'virConnectListAllDomains filters (OR-ed; neither: all guests).' },
);

export const GuestDefineBodySchema = Type.Object({ xml: Type.String({ description: 'The domain XML.' }) }, strict);

export const InactiveQuerySchema = Type.Object(
  { inactive: Type.Optional(Type.Boolean({ description: 'The persistent definition, formatted inactive.' })) },
  strict,
);

const AffectFlagsSchema = Type.Object(
  {
    live: Type.Optional(Type.Boolean()),
    config: Type.Optional(Type.Boolean()),
  },
  { ...strict, description: 'virDomainModificationImpact: neither means current (live if running, else config).' },
);

export const DeviceBodySchema = Type.Object(
  {
    xml: Type.String({ description: 'One <interface> element.' }),
    flags: AffectFlagsSchema,
  },
  strict,
);

export const ExecBodySchema = Type.Object(
  { argv: Type.Array(Type.String(), { description: 'The command and its arguments (the driver refuses an empty one).' }) },
  strict,
);

const GuestInterfaceSchema = Type.Object(
  {
    target: Type.Optional(Type.String()),
    type: Type.String(),
    source: Type.Optional(Type.String()),
    model: Type.Optional(Type.String()),
    mac: Type.String(),
    alias: Type.Optional(Type.String()),
  },
  { title: 'GuestInterface', description: 'One vNIC as domiflist shows it.' },
);

export const GuestInterfaceListSchema = Type.Array(GuestInterfaceSchema);

const GuestInterfaceAddressSchema = Type.Object(
  {
    name: Type.String(),
    mac: Type.String(),
    protocol: Type.Union([Type.Literal('ipv4'), Type.Literal('ipv6')]),
    address: Type.String(),
    prefix: Type.Integer(),
  },
  { title: 'GuestInterfaceAddress', description: 'domifaddr: one address of a vNIC, from its network leases.' },
);

export const GuestInterfaceAddressListSchema = Type.Array(GuestInterfaceAddressSchema);

export const GuestExecResultSchema = Type.Object(
  { exitCode: Type.Integer(), stdout: Type.String(), stderr: Type.String() },
  { title: 'GuestExecResult' },
);

const BridgePortsSchema = Type.Object(
  { bridge: Type.String(), bridgeId: Type.String(), stp: Type.Boolean(), ports: Type.Array(Type.String()) },
  { title: 'BridgePorts', description: 'One bridge and its ports, as brctl show lists them.' },
);

export const BridgePortsListSchema = Type.Array(BridgePortsSchema);

export const BridgeQuerySchema = Type.Object({ bridge: Type.Optional(Type.String({ minLength: 1 })) }, strict);

export const ForceQuerySchema = Type.Object(
  { force: Type.Optional(Type.Boolean({ description: 'Go on even though running guests are attached.' })) },
  strict,
);

/** GuestEvent, for the OpenAPI description of the event stream. */
export const GuestEventSchema = Type.Object({
  kind: Type.Literal('guest'),
  event: Type.Union([
    Type.Literal('Defined'),
    Type.Literal('Undefined'),
    Type.Literal('Started'),
    Type.Literal('Stopped'),
    Type.Literal('DeviceAdded'),
    Type.Literal('DeviceRemoved'),
  ]),
  guest: Type.Object({ name: Type.String(), uuid: Type.String() }),
  device: Type.Optional(Type.String()),
  time: Type.Number(),
});

// Compile-time checks: the schemas and the driver's types describe the same data.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const checks: [
  Same<Static<typeof GuestInfoSchema>, GuestInfo>,
  Same<Static<typeof GuestListQuerySchema>, GuestListFilter>,
  Same<Static<typeof AffectFlagsSchema>, AffectFlags>,
  Same<Static<typeof GuestInterfaceSchema>, GuestInterface>,
  Same<Static<typeof GuestInterfaceAddressSchema>, GuestInterfaceAddress>,
  Same<Static<typeof GuestExecResultSchema>, GuestExecResult>,
  Same<Static<typeof BridgePortsSchema>, BridgePorts>,
  Same<Static<typeof GuestEventSchema>, GuestEvent>,
] = [true, true, true, true, true, true, true, true];
void checks;
