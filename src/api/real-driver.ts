/**
 * The real network driver for virtnetd: createNetworkDriver over the Linux
 * runtime (src/driver/runtime/linux.ts) and, for networks with
 * <virtnet:ovn>, the OVN runtime (src/ovn/runtime.ts) with this host's Open
 * vSwitch (--ovs-db), both behind one RuntimeByKind, bound to the daemon's namespace
 * (--netns, the sandbox's, or the daemon's own). Every host command is
 * logged at debug level, runtime warnings at warn. The guest driver runs
 * beside it (src/driver/guest/index.ts) over the Linux guest backend in the
 * same namespace; the daemon serves both as one driver. Closing stops serving;
 * the networks keep running for the next daemon to adopt.
 */
import { createNetworkDriver, defineDefaultNetworkOnce, type DefaultNetworkOutcome, type NetworkDriver } from '../driver/network/index.js';
import { combineDrivers, createGuestDriver, type GuestDriver } from '../driver/guest/index.js';
import { createLinuxRuntime, RuntimeByKind } from '../driver/runtime/index.js';
import { LinuxGuestBackend } from '../host/guest-linux.js';
import { LinuxHost } from '../host/linux.js';
import { DEFAULT_OVS_DB, LocalOvs } from '../ovn/local-ovs.js';
import { OVN_RUNTIME_ID, OvnRuntime } from '../ovn/runtime.js';
import type { DriverFactory } from './daemon.js';
import type { DoctorApi } from '../contract/doctor-api.js';
import { HostDoctor } from '../doctor/host-doctor.js';

export const createRealDriver: DriverFactory = async ({ paths, netns, logger, autostart, defaultNetwork, resolvConf, ovsDb }) => {
  const hostLog = logger.child({ component: 'host' });
  const dnsmasqLog = logger.child({ component: 'dnsmasq' });
  const linux = await createLinuxRuntime({
    paths,
    netns,
    ...(resolvConf !== undefined ? { resolvConf } : {}),
    watchResolvConf: true,
    logger: (entry) => {
      // Failures too: many are expected probes (a link that is not there), and a real one reaches the caller and the log as an error.
      hostLog.debug(
        { argv: entry.argv, exitCode: entry.exitCode, ms: Math.round(entry.durationMs), ...(entry.stderr ? { stderr: entry.stderr } : {}) },
        'command',
      );
    },
    onWarning: (message) => hostLog.warn(message),
    // dnsmasq's own log: its errors and warnings are virtnet's, the rest at debug level.
    onDnsmasqLog: (network, line) =>
      dnsmasqLog[line.level === 'error' ? 'error' : line.level === 'warning' ? 'warn' : 'debug']({ network }, line.message),
  });
  // OVN networks: rows in their northbound database, guests' vNICs on this host's Open vSwitch.
  const ovs = new LocalOvs(ovsDb ?? DEFAULT_OVS_DB);
  const ovnLog = logger.child({ component: 'ovn' });
  const ovn = new OvnRuntime({ chassis: () => ovs.chassis(), onWarning: (message) => ovnLog.warn(message) });
  const runtime = new RuntimeByKind([{ id: OVN_RUNTIME_ID, runtime: ovn, takes: (def) => def.ovn !== undefined }], linux);
  const closeRuntimes = async (): Promise<void> => {
    ovn.close();
    ovs.close();
    await linux.close();
  };
  let driver: NetworkDriver;
  try {
    driver = await createNetworkDriver({ paths, runtime, logger, autostart });
  } catch (err) {
    await closeRuntimes();
    throw err;
  }
  const report = driver.startupReport;
  if (report) logger.info({ startup: report }, 'driver ready');
  // libvirt's 'default' network, on a root's first start (default-network.ts).
  let defaultOutcome: DefaultNetworkOutcome | undefined;
  if (defaultNetwork === true) {
    try {
      defaultOutcome = await defineDefaultNetworkOnce({ paths, driver, routes: () => linux.host.facts.routes('ipv4'), start: autostart, logger });
    } catch (err) {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, "cannot define the 'default' network");
    }
  }
  // Guests: their namespaces and vNICs beside the networks' bridges, in the same namespace.
  let guests: GuestDriver;
  try {
    const runner = linux.host instanceof LinuxHost ? linux.host.runner : undefined;
    if (runner === undefined) throw new Error('the guest backend needs a Linux host');
    const backend = new LinuxGuestBackend({ runner, netns, ovs });
    // Under `ip netns exec` guest namespaces are made in the host's mount namespace, or refused (host/netns-handles.ts).
    const placement = await backend.handlePlacement();
    if (placement.kind === 'refuse') logger.warn(`netns guests cannot start: ${placement.why}`);
    if (placement.kind === 'enter') logger.info("guests' namespace handles are made in the host's mount namespace");
    guests = await createGuestDriver({ paths, networks: driver, backend, logger: logger.child({ component: 'guests' }) });
  } catch (err) {
    await driver.close();
    await closeRuntimes();
    throw err;
  }
  if (guests.startupReport) logger.info({ startup: guests.startupReport }, 'guest driver ready');
  const started = defaultOutcome?.kind === 'defined' && defaultOutcome.started ? ['default'] : [];
  // virtnet doctor: the host checks and fixes, in the networks' namespace.
  const doctor =
    linux.host instanceof LinuxHost
      ? new HostDoctor({ host: linux.host, paths, activeNetworks: () => driver.activeDefs(), lookup: (name) => driver.lookupByName(name) })
      : undefined;
  const doctorApi: Partial<DoctorApi> = doctor
    ? { doctorReport: (network) => doctor.report(network), doctorFix: (network) => doctor.fix(network), doctorUndo: () => doctor.undo() }
    : {};
  return {
    driver: Object.assign(combineDrivers(driver, guests), doctorApi),
    startup: {
      adopted: report?.adopted ?? [],
      autostarted: [...(report?.autostarted ?? []), ...started],
      problems: report?.problems ?? [],
      ...(defaultOutcome ? { defaultNetwork: defaultOutcome } : {}),
    },
    async close() {
      await guests.close();
      await driver.close();
      await closeRuntimes();
    },
  };
};
