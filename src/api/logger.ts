/**
 * virtnetd's structured log: pino, one JSON object per line, to stderr or
 * to a file (--log-file, appended, created 0600); or, for a person at a
 * terminal, the same records as lines of text (log-text.ts). Destinations are
 * synchronous sonic-boom streams — no worker-thread transports — so the
 * bundle stays one file and the last lines are written even when the
 * daemon exits right after logging them.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './options.js';
import { textDestination, type LogFormat } from './log-text.js';

export function createLogger(level: LogLevel, file?: string, format: LogFormat = 'json'): Logger {
  const destination = file
    ? pino.destination({ dest: file, sync: true, mkdir: true, mode: 0o600 })
    : format === 'text'
      ? textDestination(2)
      : pino.destination({ fd: 2, sync: true });
  return pino({ level, base: { pid: process.pid, name: 'virtnetd' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
