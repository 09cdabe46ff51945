/**
 * JSON schemas (typebox) of virtnetd's requests and responses. The same
 * objects drive request validation, response serialization (fields not in
 * a schema never leave the daemon) and the OpenAPI document. They mirror
 * the types of src/contract/network-api.ts; the `satisfies` checks at the bottom keep
 * the two in step.
 *
 * Request objects reject unknown fields (additionalProperties: false), so a
 * misspelt option is an error rather than silently ignored.
 */
import { Type, type Static } from 'typebox';
import { UPDATE_COMMANDS, UPDATE_SECTIONS } from '../conf/network/update-names.js';
import type { UpdateCommand, UpdateSection } from '../conf/network/update.js';
import { ERROR_PREFIXES, type ErrorClass } from '../util/errors.js';
import type {
  DhcpLease,
  ForwardListOptions,
  ListFilter,
  NetworkHealthEvent,
  NetworkInfo,
  PortForward,
  PortForwardSelector,
  UpdateRequest,
  UpdateResult,
} from '../contract/network-api.js';
import type { DryRunRequest, HostChanges } from '../contract/host-changes.js';
import { GuestEventSchema } from './schemas-guests.js';

const strict = { additionalProperties: false } as const;

export const NetworkInfoSchema = Type.Object(
  {
    name: Type.String(),
    uuid: Type.String(),
    active: Type.Boolean(),
    persistent: Type.Boolean(),
    autostart: Type.Boolean(),
    bridge: Type.Optional(Type.String({ description: 'The bridge device (virNetworkGetBridgeName).' })),
    title: Type.Optional(Type.String()),
    degraded: Type.Optional(
      Type.String({
        description:
          "Set while a running network's host side (its firewall rules) is found changed outside virtnetd and not yet repaired: what was wrong.",
      }),
    ),
  },
  { title: 'NetworkInfo', description: "What virsh's net-info and net-list show about a network." },
);

export const NetworkListSchema = Type.Array(NetworkInfoSchema);

export const ListQuerySchema = Type.Object(
  {
    active: Type.Optional(Type.Boolean()),
    inactive: Type.Optional(Type.Boolean()),
    persistent: Type.Optional(Type.Boolean()),
    transient: Type.Optional(Type.Boolean()),
    autostart: Type.Optional(Type.Boolean()),
    noAutostart: Type.Optional(Type.Boolean()),
  },
  { ...strict, description: 'virConnectListAllNetworks filters: within a pair OR-ed, pairs AND-ed.' },
);

export const NameParamsSchema = Type.Object({ name: Type.String({ minLength: 1 }) }, strict);
export const UuidParamsSchema = Type.Object({ uuid: Type.String({ minLength: 1 }) }, strict);

export const DefineBodySchema = Type.Object(
  {
    xml: Type.String({ description: 'The network XML.' }),
    validate: Type.Optional(Type.Boolean({ description: 'Validate against the RelaxNG schema first (--validate).' })),
  },
  strict,
);

export const AutostartBodySchema = Type.Object({ autostart: Type.Boolean() }, strict);

export const XmlQuerySchema = Type.Object(
  { inactive: Type.Optional(Type.Boolean({ description: 'The persistent config, formatted inactive.' })) },
  strict,
);

export const XmlResponseSchema = Type.Object({ xml: Type.String() });

export const UpdateBodySchema = Type.Object(
  {
    command: Type.Unsafe<UpdateCommand>(Type.Enum([...UPDATE_COMMANDS])),
    section: Type.Unsafe<UpdateSection>(Type.Enum([...UPDATE_SECTIONS])),
    parentIndex: Type.Integer({ minimum: -1, description: "-1 = libvirt's default choice of <ip>." }),
    xml: Type.String({ description: 'The element to add, delete or modify.' }),
    flags: Type.Object({ live: Type.Optional(Type.Boolean()), config: Type.Optional(Type.Boolean()) }, strict),
  },
  strict,
);

export const UpdateResultSchema = Type.Object({ live: Type.Boolean(), config: Type.Boolean() });

export const LeasesQuerySchema = Type.Object({ mac: Type.Optional(Type.String()) }, strict);

const DhcpLeaseSchema = Type.Object(
  {
    iface: Type.String(),
    expiryTime: Type.Number({ description: 'Seconds since the epoch; 0 = never expires.' }),
    protocol: Type.Union([Type.Literal('ipv4'), Type.Literal('ipv6')]),
    mac: Type.String(),
    ipAddress: Type.String(),
    prefix: Type.Integer(),
    hostname: Type.Optional(Type.String()),
    clientId: Type.Optional(Type.String()),
    iaid: Type.Optional(Type.String()),
  },
  { title: 'DhcpLease' },
);

export const LeaseListSchema = Type.Array(DhcpLeaseSchema);

const ForwardProtoSchema = Type.Union([Type.Literal('tcp'), Type.Literal('udp'), Type.Literal('both')]);
const PortText = (description: string) => Type.String({ pattern: '^[0-9]{1,5}(-[0-9]{1,5})?$', description });

const PortForwardSchema = Type.Object(
  {
    proto: ForwardProtoSchema,
    address: Type.Optional(Type.String({ description: 'The host address it listens on; absent: every address of the host but loopback.' })),
    port: PortText('A port or range, 2222 or 8000-8010.'),
    to: Type.String({ minLength: 1, description: "An IPv4 address of the network or a guest's name (a DHCP host name or a defined guest)." }),
    toPort: Type.Optional(PortText("The guest's port or range, as long as port; absent: the same ports.")),
    toAddress: Type.Optional(Type.String({ description: 'Live, in answers only: the address a named target points to now.' })),
  },
  { ...strict, title: 'PortForward', description: "A NAT network's port forward, as the XML's <virtnet:forward> says it." },
);

export const PortForwardListSchema = Type.Array(PortForwardSchema);

export const ForwardListQuerySchema = Type.Object(
  { inactive: Type.Optional(Type.Boolean({ description: 'The persistent config rather than the running network.' })) },
  strict,
);

const FlagsSchema = Type.Object(
  { live: Type.Optional(Type.Boolean()), config: Type.Optional(Type.Boolean()) },
  { ...strict, description: 'Neither: live if the network runs, and config if it is persistent.' },
);

export const AddForwardBodySchema = Type.Object({ forward: PortForwardSchema, flags: Type.Optional(FlagsSchema) }, strict);

export const RemoveForwardQuerySchema = Type.Object(
  {
    port: PortText('The ports of the forward, as it was added.'),
    proto: Type.Optional(ForwardProtoSchema),
    address: Type.Optional(Type.String({ description: 'Its listen address; absent: the forward on every address.' })),
    live: Type.Optional(Type.Boolean()),
    config: Type.Optional(Type.Boolean()),
  },
  strict,
);

const ErrorClassSchema = Type.Unsafe<ErrorClass>(Type.Enum(Object.keys(ERROR_PREFIXES)));

export const ErrorBodySchema = Type.Object(
  {
    class: ErrorClassSchema,
    detail: Type.String({ description: 'The text after the class prefix.' }),
    message: Type.String({ description: 'What virsh prints after "error: ".' }),
    code: Type.Optional(
      Type.String({ description: "A stable code for the error (src/contract/error-codes.ts): a catalogued one, or 'class.CLASS'." }),
    ),
    params: Type.Optional(Type.Record(Type.String(), Type.String(), { description: "The values of the code's template parameters." })),
  },
  { title: 'VirError', description: "libvirt's error class and text." },
);

export const VersionSchema = Type.Object({
  name: Type.Literal('virtnetd'),
  version: Type.String(),
  readonly: Type.Boolean(),
  libvirtUri: Type.Optional(Type.String()),
});

/** virtnet's own event: a running network found changed outside virtnetd, and repaired. */
const NetworkHealthEventSchema = Type.Object({
  kind: Type.Literal('health'),
  state: Type.Union([Type.Literal('degraded'), Type.Literal('repaired')]),
  network: Type.Object({ name: Type.String(), uuid: Type.String() }),
  reason: Type.String(),
  time: Type.Number(),
});

/** DriverEvent, for the OpenAPI description of the event stream (not used to validate). */
export const DriverEventSchema = Type.Union([
  Type.Object({
    kind: Type.Literal('lifecycle'),
    event: Type.Enum(['Defined', 'Undefined', 'Started', 'Stopped', 'Updated']),
    detail: Type.Integer(),
    network: Type.Object({ name: Type.String(), uuid: Type.String() }),
    time: Type.Number(),
  }),
  Type.Object({
    kind: Type.Literal('lease'),
    action: Type.Union([Type.Literal('add'), Type.Literal('old'), Type.Literal('del')]),
    network: Type.Object({ name: Type.String(), uuid: Type.String() }),
    lease: DhcpLeaseSchema,
    time: Type.Number(),
  }),
  Type.Object({
    kind: Type.Literal('autostart'),
    network: Type.Object({ name: Type.String(), uuid: Type.String() }),
    autostart: Type.Boolean(),
    time: Type.Number(),
  }),
  GuestEventSchema,
  NetworkHealthEventSchema,
]);

/** A dry run (src/contract/host-changes.ts): what a start, a create or an update would do. */
export const DryRunBodySchema = Type.Union([
  Type.Object({ action: Type.Literal('start'), name: Type.String() }, strict),
  Type.Object({ action: Type.Literal('create'), xml: Type.String(), validate: Type.Optional(Type.Boolean()) }, strict),
  Type.Object({ action: Type.Literal('update'), name: Type.String(), update: UpdateBodySchema }, strict),
]);

export const HostChangesSchema = Type.Object({
  network: Type.String(),
  action: Type.Union([Type.Literal('start'), Type.Literal('create'), Type.Literal('update')]),
  links: Type.Array(Type.String(), { description: 'ip and ethtool commands, in order.' }),
  sysctls: Type.Array(Type.Object({ key: Type.String(), value: Type.String(), now: Type.Optional(Type.String()) })),
  nftables: Type.Array(Type.String(), { description: 'The nftables batch, one JSON command a line.' }),
  nftCheck: Type.Optional(Type.String({ description: "What nft -c said of the batch: 'ok' or its error." })),
  files: Type.Array(Type.Object({ path: Type.String(), content: Type.String() })),
  processes: Type.Array(Type.String()),
  config: Type.Optional(Type.Boolean({ description: 'An update: whether the saved definition changes too.' })),
});

// Compile-time checks: the schemas and the driver's types describe the same data.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const checks: [
  Same<Static<typeof NetworkInfoSchema>, NetworkInfo>,
  Same<Static<typeof ListQuerySchema>, ListFilter>,
  Same<Static<typeof DhcpLeaseSchema>, DhcpLease>,
  Same<Static<typeof UpdateResultSchema>, UpdateResult>,
  Same<Static<typeof UpdateBodySchema>, UpdateRequest>,
  Same<Static<typeof PortForwardSchema>, PortForward>,
  Same<Static<typeof ForwardListQuerySchema>, ForwardListOptions>,
  Same<Omit<Static<typeof RemoveForwardQuerySchema>, 'live' | 'config'>, PortForwardSelector>,
  Same<Static<typeof NetworkHealthEventSchema>, NetworkHealthEvent>,
  Same<Static<typeof DryRunBodySchema>, DryRunRequest>,
  Same<Static<typeof HostChangesSchema>, HostChanges>,
] = [true, true, true, true, true, true, true, true, true, true, true];
void checks;
