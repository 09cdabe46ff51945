/**
 * The network driver's entry point for the daemon (and tests, benchmarks):
 *
 *   const driver = await createNetworkDriver({
 *     paths: virtnetPaths(root),        // CONFIG, RUN, STATE trees
 *     runtime,                          // a NetworkRuntime (LinuxRuntime; FakeRuntime in tests)
 *     logger,                           // optional; a pino logger fits (DriverLogger)
 *   });
 *   ...
 *   await driver.close();               // networks keep running
 *
 * createNetworkDriver loads configs and status files, adopts the networks
 * that still run, drops dead transient ones and autostarts (once per boot)
 * before it resolves; `driver.startupReport` says what it found. Options
 * (NetworkDriverOptions in driver.ts):
 * - paths, runtime: required;
 * - logger: structured log sink, default silent;
 * - random: injectable uuid/MAC randomness (tests);
 * - validateFacts: SR-IOV facts for define-time checks, default sysfs;
 * - autostart: run autostart at startup (default true; still once per boot);
 * - leaseEvents: emit lease events, watching STATE/dnsmasq with one
 *   fs.watch once someone subscribes (default true);
 * - concurrency: networks adopted / autostarted at once (default 8);
 * - now: clock for event times; leaseDebounceMs: lease-watch debounce.
 *
 * The driver implements NetworkDriverApi (src/contract/network-api.ts). It takes no lock on the
 * directories itself: one driver per root is the daemon's to enforce.
 * close() does not close the runtime (LinuxRuntime.close stops its
 * resolv.conf watch); whoever made the runtime closes it after the driver.
 */
import { NetworkDriver, type NetworkDriverOptions } from './driver.js';

export { NetworkDriver, type NetworkDriverOptions } from './driver.js';
export type { StartupReport, StartupProblem } from './startup.js';
export { autostartMarkerPath } from './startup.js';
export { defineDefaultNetworkOnce, defaultNetworkMarkerPath, type DefaultNetworkOutcome } from './default-network.js';
export type { DriverLogger } from '../common/log.js';
export { silentLogger } from '../common/log.js';
export { formatNetworkStatus, parseNetworkStatus, STATUS_NAMESPACE, type NetworkStatus } from './status.js';
export { virtnetPaths, type VirtnetPaths } from '../common/paths.js';
export * from '../../contract/network-api.js';
export type { AppliedNetwork, NetworkRuntime, StartContext } from '../runtime/seam.js';

/** Create a network driver over `options.paths` and bring it up to date with what runs. */
export async function createNetworkDriver(options: NetworkDriverOptions): Promise<NetworkDriver> {
  const driver = new NetworkDriver(options);
  await driver.initialize();
  return driver;
}
