/**
 * GET /api/console/ovn-hosts: the OVN hosts this virtnetd's OVN networks
 * span, whether each answers, and the guests' ports on each (the console's
 * Hosts page and its topology's host groups), read by src/ovn/hosts.ts
 * through this host's Open vSwitch (--ovs-db) and the networks' northbound
 * databases.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { parseNetworkXml } from '../conf/network/parse.js';
import { CONSOLE_ROUTES, type OvnHostsBody } from '../contract/console-api.js';
import type { NetworkDriverApi } from '../contract/network-api.js';
import { readOvnHosts } from '../ovn/hosts.js';
import { isVirError } from '../util/errors.js';
import { ErrorBodySchema } from './schemas.js';

const OvnHostsSchema = Type.Object({
  unavailable: Type.Optional(
    Type.Object({
      reason: Type.Union([Type.Literal('no-ovs'), Type.Literal('no-southbound'), Type.Literal('southbound-unreachable')]),
      detail: Type.String(),
    }),
  ),
  thisHost: Type.Optional(Type.String()),
  hosts: Type.Array(
    Type.Object({
      name: Type.String(),
      hostname: Type.Optional(Type.String()),
      encaps: Type.Array(Type.Object({ type: Type.String(), ip: Type.String() })),
      state: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('unknown')]),
      networks: Type.Array(Type.String()),
    }),
  ),
  ports: Type.Array(
    Type.Object({
      network: Type.String(),
      host: Type.String(),
      guest: Type.String(),
      mac: Type.String(),
      address: Type.Optional(Type.String()),
      up: Type.Boolean(),
    }),
  ),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same: Same<Static<typeof OvnHostsSchema>, OvnHostsBody> = true;
void same;

/** The northbound databases of the daemon's OVN networks. */
async function northbounds(driver: NetworkDriverApi): Promise<string[]> {
  const out = new Set<string>();
  for (const info of await driver.list()) {
    try {
      const nb = parseNetworkXml(await driver.getXml(info.name)).ovn?.northbound;
      if (nb !== undefined) out.add(nb);
    } catch (err) {
      // Gone meanwhile.
      if (!(isVirError(err) && err.errorClass === 'NO_NETWORK')) throw err;
    }
  }
  return [...out];
}

export function registerConsoleOvn(app: FastifyInstance, driver: NetworkDriverApi, where: { ovsDb: string; southbound?: string }): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    CONSOLE_ROUTES.ovnHosts,
    {
      schema: {
        operationId: 'consoleOvnHosts',
        tags: ['console'],
        summary:
          "The OVN hosts (chassis) of the southbound database this host's ovn-controller uses, each up (it acknowledged a configuration round just now), down or unknown, with the OVN networks active on it and the guests' ports.",
        response: { 200: OvnHostsSchema, '4xx': ErrorBodySchema, '5xx': ErrorBodySchema },
      },
      config: { access: { read: true } },
    },
    async () => readOvnHosts({ ...where, northbounds: await northbounds(driver) }),
  );
}
