/**
 * The console's snapshots: every network with its XML, or one network, and
 * every guest with its vNICs and addresses, each in one request. The
 * console redraws from these on every live event; a plain REST client
 * would need a list plus one call per object, and an object removed in
 * between would answer 404 — noise the browser logs as an error. Here a
 * network or guest that vanishes meanwhile is simply absent
 * (`{network: null}` for the single lookup).
 *
 *   GET /api/console/networks        {networks: [{info, xml}]}
 *   GET /api/console/networks/:name  {network: {info, xml} | null}
 *   GET /api/console/guests          {available, guests: [{info, interfaces, addresses}]}
 *
 * The XML is what net-dumpxml shows: the live definition of a running
 * network, the persistent one of a stopped network.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { NetworkDriverApi, NetworkInfo } from '../contract/network-api.js';
import type { GuestInfo, GuestInterface, GuestInterfaceAddress } from '../contract/guest-api.js';
import { hasGuestApi } from '../driver/guest/index.js';
import { isVirError } from '../util/errors.js';
import { CONSOLE_ROUTES } from '../contract/console-api.js';
import { ErrorBodySchema, NameParamsSchema, NetworkInfoSchema } from './schemas.js';
import { GuestInfoSchema, GuestInterfaceAddressListSchema, GuestInterfaceListSchema } from './schemas-guests.js';

const READ = { read: true } as const;
const errors = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema };
const tags = ['console'];

const NetworkStateSchema = Type.Object({ info: NetworkInfoSchema, xml: Type.String() });
const GuestStateSchema = Type.Object({ info: GuestInfoSchema, interfaces: GuestInterfaceListSchema, addresses: GuestInterfaceAddressListSchema });

/** A call whose "no such object" answer means: it is gone. */
async function unlessGone<T>(call: () => Promise<T>, gone: string): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (isVirError(err) && err.errorClass === gone) return undefined;
    throw err;
  }
}

async function networkState(driver: NetworkDriverApi, info: NetworkInfo): Promise<{ info: NetworkInfo; xml: string } | undefined> {
  const xml = await unlessGone(() => driver.getXml(info.name), 'NO_NETWORK');
  return xml === undefined ? undefined : { info, xml };
}

export function registerConsoleState(app: FastifyInstance, driver: NetworkDriverApi): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    CONSOLE_ROUTES.networks,
    {
      schema: {
        operationId: 'consoleNetworks',
        tags,
        summary: 'Every network with its XML, in one answer.',
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
        summary: 'One network with its XML, or null when there is none of that name.',
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
        summary: 'Every guest with its vNICs and their addresses; available is false when the daemon has no guest driver.',
        response: { 200: Type.Object({ available: Type.Boolean(), guests: Type.Array(GuestStateSchema) }), ...errors },
      },
      config: { access: READ },
    },
    async () => {
      if (!hasGuestApi(driver)) return { available: false, guests: [] };
      const guests = await Promise.all(
        (await driver.guestList()).map(async (info: GuestInfo) => {
          const interfaces = await unlessGone<GuestInterface[]>(() => driver.guestInterfaces(info.name), 'NO_DOMAIN');
          if (interfaces === undefined) return undefined;
          // Addresses come from the networks' leases; a vNIC whose network is gone has none.
          let addresses: GuestInterfaceAddress[] = [];
          if (info.active) addresses = await driver.guestInterfaceAddresses(info.name).catch(() => []);
          return { info, interfaces, addresses };
        }),
      );
      return { available: true, guests: guests.filter((g) => g !== undefined) };
    },
  );
}
