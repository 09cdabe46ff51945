/**
 * virtnetd's entry point (bundled to dist/virtnetd.js, run by bin/virtnetd):
 * parse the command line, then either print help/version, clean the
 * sandbox up, or run the daemon until SIGTERM/SIGINT (SIGHUP reloads the
 * driver). Start-up failures are one line on stderr and exit status 1;
 * no stack trace reaches the operator (the log has the details).
 */
import { VERSION } from '../util/version.js';
import { virtnetPaths, type VirtnetPaths } from '../driver/common/paths.js';
import { startDaemon, type RunningDaemon } from './daemon.js';
import { AlreadyRunningError, runningDaemonPid } from './instance-lock.js';
import { collectWhenIdle } from './idle-gc.js';
import { createLogger } from './logger.js';
import { resolveLogFormat } from './log-text.js';
import { ownMissingCapabilities } from './privileges.js';
import { DAEMON_TEXT } from './startup-text.js';
import { parseDaemonArgs, USAGE, UsageError, type DaemonCommand } from './options.js';
import { createRealDriver } from './real-driver.js';
import { raiseOpenFilesLimit } from './open-files.js';
import { ExecRunner } from '../host/runner.js';
import { findPageoutHelper, loadReadAdvice, SelfPageout } from '../host/pageout.js';
import { cleanupSandbox, sandboxNames } from './sandbox.js';
import { removeState, stillRunning, type StillRunning } from './purge.js';

/** 'a', 'b' and 'c' */
function listNames(names: string[]): string {
  const quoted = names.map((n) => `'${n}'`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}

/** An OS error from starting a process or accepting a connection: one call's or one client's failure. */
function isTransientOsError(err: Error): boolean {
  const { syscall, code } = err as NodeJS.ErrnoException;
  return typeof code === 'string' && typeof syscall === 'string' && (syscall.startsWith('spawn') || syscall === 'accept');
}

function fail(message: string): never {
  process.stderr.write(`virtnetd: ${message}\n`);
  process.exit(1);
}

/** The rest of --purge, once the sandbox is gone: the root's files, unless something of it still runs. */
function purge(paths: VirtnetPaths, running: StillRunning): void {
  const { networks, guests } = running;
  if (networks.length > 0 || guests.length > 0) {
    const what = [
      ...(networks.length ? [`network${networks.length > 1 ? 's' : ''} ${listNames(networks)}`] : []),
      ...(guests.length ? [`guest${guests.length > 1 ? 's' : ''} ${listNames(guests)}`] : []),
    ].join(' and ');
    fail(
      `${what} of this root still run${networks.length + guests.length > 1 ? '' : 's'} outside a sandbox, so its files were kept: start virtnetd, stop ${networks.length + guests.length > 1 ? 'them' : 'it'} ('virtnet net-destroy NAME', 'virtnet destroy NAME'), stop virtnetd, then purge`,
    );
  }
  const removed = removeState(paths);
  process.stdout.write(
    removed.length === 0
      ? `virtnetd: no state to remove (${paths.configDir}, ${paths.runDir}, ${paths.stateDir} do not exist)\n`
      : `virtnetd: removed ${listNames(removed)}: the next start is a first start\n`,
  );
}

async function main(argv: string[]): Promise<void> {
  let command: DaemonCommand;
  try {
    command = parseDaemonArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) fail(`${err.message}\nTry 'virtnetd --help' for more information.`);
    throw err;
  }

  if (command.action === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (command.action === 'version') {
    process.stdout.write(`virtnetd (virtnet) ${VERSION}\n`);
    return;
  }
  // Bridges, nftables and namespaces: without the capabilities, say so before anything fails half-way.
  const missing = ownMissingCapabilities();
  if (missing.length > 0) fail(DAEMON_TEXT.needsPrivileges(missing));
  if (command.action === 'sandbox-cleanup' || command.action === 'purge') {
    const paths = virtnetPaths(command.root);
    const pid = runningDaemonPid(paths.runDir);
    const what = command.action === 'purge' ? 'sandbox and state' : 'sandbox';
    if (pid !== undefined) fail(`virtnetd is running for ${command.root ?? '/'} (pid ${pid}); stop it before removing its ${what}`);
    const names = sandboxNames(command.root);
    const { removed, ended } = await cleanupSandbox(names);
    if (removed.length === 0) process.stdout.write(`virtnetd: no sandbox to remove ('${names.netns}', '${names.uplink}' do not exist)\n`);
    else
      process.stdout.write(
        `virtnetd: removed network namespace${removed.length > 1 ? 's' : ''} ${listNames(removed)}${ended.length ? `, ending ${ended.length} process${ended.length > 1 ? 'es' : ''}` : ''}\n`,
      );
    if (command.action === 'purge') purge(paths, await stillRunning(paths));
    return;
  }

  const options = command.options;
  const logFormat = resolveLogFormat(options.logFormat ?? 'auto', {
    ...(options.logFile ? { logFile: options.logFile } : {}),
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
  });
  const logger = createLogger(options.logLevel ?? (logFormat === 'text' ? 'warn' : 'info'), options.logFile, logFormat);
  // The start-up summary: a short table and a box for a person at a terminal, plain lines otherwise.
  const terminal = process.stdout.isTTY === true && resolveLogFormat('auto', { stderrIsTTY: true, env: process.env }) === 'text';
  // A bug must not die silently or as a bare stack: log it as one structured line, then exit.
  process.on('uncaughtException', (err) => {
    // A process that could not be started or a connection that could not be accepted (EMFILE, EAGAIN)
    // concerns one call or one client, never the daemon: should one ever escape its caller, log it and go on.
    if (isTransientOsError(err)) {
      logger.error({ err }, 'uncaught error of one call (the daemon goes on)');
      return;
    }
    logger.fatal({ err }, 'uncaught exception');
    fail(`internal error: ${err.message}`);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled rejection');
    fail(`internal error: ${reason instanceof Error ? reason.message : String(reason)}`);
  });
  // Signals are caught from the start: one that arrives while the daemon is still starting
  // is acted on as soon as it serves, so even then it stops cleanly (sockets, pid file, token).
  let daemon: RunningDaemon | undefined;
  let stopSignal: string | undefined;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    if (stopSignal !== undefined && daemon === undefined) return;
    stopSignal = signal;
    logger.info({ signal }, 'signal received');
    if (!daemon) return;
    stopping = true;
    daemon.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    const reload = daemon?.handle.reload;
    if (!daemon || !reload) {
      logger.info('SIGHUP: nothing to reload');
      return;
    }
    logger.info('SIGHUP: reloading the driver');
    reload.call(daemon.handle).catch((err: unknown) => logger.error({ err }, 'reload failed'));
  });

  // Descriptors: the soft limit up to the hard one (open-files.ts); it sizes the listeners' bounds.
  const openFiles = await raiseOpenFilesLimit(new ExecRunner());
  if (openFiles.problem) logger.warn({ limit: openFiles.limit, problem: openFiles.problem }, 'cannot raise the open files limit');
  else logger.debug({ limit: openFiles.limit }, 'open files limit');

  // Requests and libvirt calls taken: the idle collector's sign of work, below.
  let requestsTaken = 0;
  try {
    daemon = await startDaemon(options, {
      openFiles: openFiles.limit,
      onRequest: () => requestsTaken++,
      createDriver: createRealDriver,
      logger,
      version: VERSION,
      print: (line) => process.stdout.write(`${line}\n`),
      terminal,
    });
  } catch (err) {
    if (err instanceof AlreadyRunningError) fail(err.message);
    const message = err instanceof Error ? err.message : String(err);
    // The operator reads the line below; the log keeps the same text, and the stack only at debug level.
    logger.error({ error: message }, 'virtnetd failed to start');
    logger.debug({ err }, 'start-up failure');
    fail(`failed to start: ${message}`);
  }
  if (stopSignal !== undefined) shutdown(stopSignal);
  // Once quiet: a collection, then the page-out of the daemon's code, unless switched off (--no-idle-pageout).
  const pageout =
    options.idlePageout === false
      ? undefined
      : new SelfPageout({
          helper: findPageoutHelper(),
          // The code paged out comes back page by page, not with read-ahead (bench/README.md, "Issue 17").
          readAdvice: loadReadAdvice(),
          onUnavailable: (message) => logger.warn(message),
          onStarted: () => logger.debug('idle page-out'),
          // After virtnetd has handled the helper's end (docs/architecture.md, Memory).
          delayMs: 1000,
          onFailed: (why) => logger.debug({ why }, 'idle page-out failed this time'),
        });
  collectWhenIdle({
    requestsTaken: () => requestsTaken,
    // The page-out makes the next request, and the next Node.js program the host starts, read the pages
    // back (~6-10 ms here, more from a cold disk): by default only after two quiet minutes, as libvirt's
    // daemons count idle (--timeout 120), so commands typed one after another never pay it.
    pageOutAfterMs: (options.idlePageoutAfterS ?? 120) * 1000,
    onCollect: (ms) => logger.debug({ ms: Math.round(ms) }, 'idle garbage collection'),
    ...(pageout?.available ? { pageOut: () => void pageout.pageOut() } : {}),
  });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  fail(err instanceof Error ? err.message : String(err));
});
