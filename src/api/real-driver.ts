/**
 * The real network driver for virtnetd: createNetworkDriver over the Linux
 * runtime (src/driver/linux-runtime.ts), bound to the daemon's namespace
 * (--netns, the sandbox's, or the daemon's own). Every host command is
 * logged at debug level, runtime warnings at warn. Closing stops serving;
 * the networks keep running for the next daemon to adopt.
 */
import { createNetworkDriver } from '../driver/index.js';
import { createLinuxRuntime } from '../driver/linux-runtime.js';
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
  return {
    driver,
    async close() {
      await driver.close();
      runtime.close();
    },
  };
};
