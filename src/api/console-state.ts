/**
 * The console's snapshots: every network, or one, and every guest, each in
 * one request, with the model as JSON (the console reads no XML):
 *
 *   GET /api/console/networks        {networks: [{info, version, def, config?}]}
 *   GET /api/console/networks/:name  {network: {…} | null}
 *   GET /api/console/guests          {available, guests: [{info, version, interfaces, configInterfaces?, addresses}]}
 *
 * `def` is the live definition of a running network, the saved one of a
 * stopped network (what net-dumpxml shows), read back from that XML by the
 * daemon's own parser; `config` the saved definition of a running
 * persistent network, so the console can show what takes effect at its
 * next start. `version` is the object's ETag, for the If-Match of the
 * console's changes. A network or guest that vanishes meanwhile is simply
 * absent (`{network: null}` for the single lookup), not a 404 the browser
 * logs as an error.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { NetworkDriverApi, NetworkInfo } from '../contract/network-api.js';
import type { GuestInfo, GuestInterface, GuestInterfaceAddress } from '../contract/guest-api.js';
import { hasGuestApi } from '../driver/guest/index.js';
import { parseNetworkXml } from '../conf/network/parse.js';
import { isVirError } from '../util/errors.js';
import { CONSOLE_ROUTES, type GuestState, type NetworkState } from '../contract/console-api.js';
import { ErrorBodySchema, NameParamsSchema, NetworkInfoSchema } from './schemas.js';
import { GuestInfoSchema, GuestInterfaceAddressListSchema, GuestInterfaceListSchema } from './schemas-guests.js';

const READ = { read: true } as const;
const errors = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema };
const tags = ['console'];

/** A NetworkDef as JSON (src/conf/network/types.ts); the response carries it as it is. */
export const NetworkDefSchema = Type.Unsafe<object>({
  type: 'object',
  additionalProperties: true,
  description: 'A NetworkDef (src/conf/network/types.ts).',
});

const NetworkStateSchema = Type.Object({
  info: NetworkInfoSchema,
  version: Type.Optional(Type.String()),
  def: NetworkDefSchema,
  config: Type.Optional(NetworkDefSchema),
});
const GuestStateSchema = Type.Object({
  info: GuestInfoSchema,
  version: Type.Optional(Type.String()),
  interfaces: GuestInterfaceListSchema,
  configInterfaces: Type.Optional(GuestInterfaceListSchema),
  addresses: GuestInterfaceAddressListSchema,
});

/** A call whose "no such object" answer means: it is gone. */
async function unlessGone<T>(call: () => Promise<T>, gone: string): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (isVirError(err) && err.errorClass === gone) return undefined;
    throw err;
  }
}

async function networkState(driver: NetworkDriverApi, info: NetworkInfo): Promise<NetworkState | undefined> {
  return unlessGone(async () => {
    // The version first: a change in between makes the model newer than it, so a change based on both is refused, never lost.
    const version = driver.versionOf ? await driver.versionOf(info.name) : undefined;
    const def = parseNetworkXml(await driver.getXml(info.name));
    const config = info.active && info.persistent ? parseNetworkXml(await driver.getXml(info.name, { inactive: true })) : undefined;
    return { info, ...(version !== undefined ? { version } : {}), def, ...(config ? { config } : {}) };
  }, 'NO_NETWORK');
}

export function registerConsoleState(app: FastifyInstance, driver: NetworkDriverApi): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    CONSOLE_ROUTES.networks,
    {
      schema: {
        operationId: 'consoleNetworks',
        tags,
        summary: 'Every network with its model, in one answer.',
        response: { 200: Type.Object({ networks: Type.Array(NetworkStateSchema) }), ...errors },
      },
      config: { access: READ },
    },
    async () => {
      const all = await Promise.all((await driver.list()).map((info) => networkState(driver, info)));
      return { networks: all.filter((n) => n !== undefined) };
    },
  );

  api.get(
    CONSOLE_ROUTES.network,
    {
      schema: {
        operationId: 'consoleNetwork',
        tags,
        summary: 'One network with its model, or null when there is none of that name.',
        params: NameParamsSchema,
        response: { 200: Type.Object({ network: Type.Union([NetworkStateSchema, Type.Null()]) }), ...errors },
      },
      config: { access: READ },
    },
    async (request) => {
      const info = await unlessGone(() => driver.lookupByName(request.params.name), 'NO_NETWORK');
      return { network: (info && (await networkState(driver, info))) ?? null };
    },
  );

  api.get(
    CONSOLE_ROUTES.guests,
    {
      schema: {
        operationId: 'consoleGuests',
        tags,
        summary: 'Every guest with its vNICs (live and saved) and their addresses; available is false when the daemon has no guest driver.',
        response: { 200: Type.Object({ available: Type.Boolean(), guests: Type.Array(GuestStateSchema) }), ...errors },
      },
      config: { access: READ },
    },
    async () => {
      if (!hasGuestApi(driver)) return { available: false, guests: [] };
      const guests = await Promise.all(
        (await driver.guestList()).map((info: GuestInfo) =>
          unlessGone<GuestState>(async () => {
            const version = driver.guestVersionOf ? await driver.guestVersionOf(info.name) : undefined;
            const interfaces: GuestInterface[] = await driver.guestInterfaces(info.name);
            const configInterfaces = info.active && info.persistent ? await driver.guestInterfaces(info.name, { inactive: true }) : undefined;
            // Addresses come from the networks' leases; a vNIC whose network is gone has none.
            let addresses: GuestInterfaceAddress[] = [];
            if (info.active) addresses = await driver.guestInterfaceAddresses(info.name).catch(() => []);
            return { info, ...(version !== undefined ? { version } : {}), interfaces, ...(configInterfaces ? { configInterfaces } : {}), addresses };
          }, 'NO_DOMAIN'),
        ),
      );
      return { available: true, guests: guests.filter((g) => g !== undefined) };
    },
  );
}
