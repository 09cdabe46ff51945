/**
 * The real network driver for virtnetd: createNetworkDriver over the Linux
 * runtime (src/driver/runtime/linux.ts), bound to the daemon's namespace
 * (--netns, the sandbox's, or the daemon's own). Every host command is
 * logged at debug level, runtime warnings at warn. The guest driver runs
 * beside it (src/driver/guest/index.ts) over the Linux guest backend in the
 * same namespace; the daemon serves both as one driver. Closing stops serving;
 * the networks keep running for the next daemon to adopt.
 */
import { createNetworkDriver } from '../driver/network/index.js';
import { combineDrivers, createGuestDriver } from '../driver/guest/index.js';
import { createLinuxRuntime } from '../driver/runtime/index.js';
import { LinuxGuestBackend } from '../host/guest-linux.js';
import { LinuxHost } from '../host/linux.js';
import type { DriverFactory } from './daemon.js';

export const createRealDriver: DriverFactory = async ({ paths, netns, logger, autostart }) => {
  const hostLog = logger.child({ component: 'host' });
  const runtime = await createLinuxRuntime({
    paths,
    netns,
    watchResolvConf: true,
    logger: (entry) => {
      const failed = entry.exitCode !== 0;
      hostLog[failed ? 'info' : 'debug'](
        { argv: entry.argv, exitCode: entry.exitCode, ms: Math.round(entry.durationMs), ...(entry.stderr ? { stderr: entry.stderr } : {}) },
        'command',
      );
    },
    onWarning: (message) => hostLog.warn(message),
  });
  let driver;
  try {
    driver = await createNetworkDriver({ paths, runtime, logger, autostart });
  } catch (err) {
    runtime.close();
    throw err;
  }
  const report = driver.startupReport;
  if (report) logger.info({ startup: report }, 'driver ready');
  // Guests: their namespaces and vNICs beside the networks' bridges, in the same namespace.
  let guests;
  try {
    const runner = runtime.host instanceof LinuxHost ? runtime.host.runner : undefined;
    if (runner === undefined) throw new Error('the guest backend needs a Linux host');
    guests = await createGuestDriver({ paths, networks: driver, backend: new LinuxGuestBackend({ runner, netns }), logger: logger.child({ component: 'guests' }) });
  } catch (err) {
    await driver.close();
    runtime.close();
    throw err;
  }
  if (guests.startupReport) logger.info({ startup: guests.startupReport }, 'guest driver ready');
  return {
    driver: combineDrivers(driver, guests),
    async close() {
      await guests.close();
      await driver.close();
      runtime.close();
    },
  };
};
