/**
 * virtnetd's traffic routes (the table is src/client/http-traffic.ts): a
 * vNIC's counters (domifstat) and a network's, read from the kernel's link
 * counters. Both are reads.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { InterfaceStats, NetworkTraffic, TrafficApi } from '../contract/traffic-api.js';
import { TRAFFIC_ROUTES } from '../client/http-traffic.js';
import { READ, ok, route } from './route-spec.js';
import { NameParamsSchema } from './schemas.js';

const DirectionSchema = Type.Object({ bytes: Type.Number(), packets: Type.Number(), errors: Type.Number(), dropped: Type.Number() });
const CountersSchema = Type.Object({ rx: DirectionSchema, tx: DirectionSchema });
const InterfaceStatsSchema = Type.Object({ device: Type.String(), rx: DirectionSchema, tx: DirectionSchema });
const VnicSchema = Type.Object({ guest: Type.String(), device: Type.String(), mac: Type.String(), rx: DirectionSchema, tx: DirectionSchema });
const NetworkTrafficSchema = Type.Object({
  network: Type.String(),
  bridge: Type.Optional(Type.String()),
  host: Type.Optional(CountersSchema),
  guests: CountersSchema,
  vnics: Type.Array(VnicSchema),
  time: Type.Number({ description: 'When the counters were read, ms since the epoch.' }),
});
const InterfaceParamsSchema = Type.Object({ name: Type.String({ minLength: 1 }), iface: Type.String({ minLength: 1 }) });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const checks: [Same<Static<typeof InterfaceStatsSchema>, InterfaceStats>, Same<Static<typeof NetworkTrafficSchema>, NetworkTraffic>] = [true, true];
void checks;

export function registerTrafficRoutes(app: FastifyInstance, options: { driver: TrafficApi }): void {
  const { driver } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    TRAFFIC_ROUTES.interfaceStats,
    route(READ, {
      operationId: 'guestInterfaceStats',
      tags: ['guests'],
      summary: "A running guest's vNIC counters as the guest sees them, by target device or MAC (domifstat).",
      params: InterfaceParamsSchema,
      response: ok(InterfaceStatsSchema),
    }),
    async (request) => driver.guestInterfaceStats(request.params.name, request.params.iface),
  );

  api.get(
    TRAFFIC_ROUTES.networkTraffic,
    route(READ, {
      operationId: 'networkTraffic',
      tags: ['networks'],
      summary: "A running network's counters: its bridge as the host sees it, and each guest's vNIC.",
      params: NameParamsSchema,
      response: ok(NetworkTrafficSchema),
    }),
    async (request) => driver.networkTraffic(request.params.name),
  );
}
