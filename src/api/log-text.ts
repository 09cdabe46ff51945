/**
 * virtnetd's log for a person at a terminal: each pino record as one line,
 * "HH:MM:SS [level: ]message (key=value, …)", instead of a JSON object.
 * Chosen by --log-format (resolveLogFormat): JSON stays the format for
 * files, pipes, systemd and anyone who asks for it.
 */
import { writeSync } from 'node:fs';

export type LogFormat = 'json' | 'text';

/** --log-format auto: text only for a person at a terminal, JSON for files, pipes and systemd. */
export function resolveLogFormat(
  requested: LogFormat | 'auto',
  where: { logFile?: string; stderrIsTTY: boolean; env: Record<string, string | undefined> },
): LogFormat {
  if (requested !== 'auto') return requested;
  const underSystemd = where.env['INVOCATION_ID'] !== undefined || where.env['JOURNAL_STREAM'] !== undefined;
  return where.logFile === undefined && where.stderrIsTTY && !underSystemd ? 'text' : 'json';
}

const LEVEL_WORDS: Record<number, string> = { 10: 'trace: ', 20: 'debug: ', 30: '', 40: 'warning: ', 50: 'error: ', 60: 'fatal: ' };
const NOT_SHOWN = new Set(['level', 'time', 'pid', 'name', 'hostname', 'msg', 'component']);

function valueText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s,()=]+$/.test(value) ? value : JSON.stringify(value);
  if (value !== null && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
    return JSON.stringify((value as { message: string }).message);
  }
  return JSON.stringify(value);
}

/** One pino record as a line of text (no newline). */
export function formatLogRecord(record: Record<string, unknown>): string {
  const time = typeof record['time'] === 'string' ? new Date(record['time']) : new Date();
  const clock = [time.getHours(), time.getMinutes(), time.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  const level = LEVEL_WORDS[Number(record['level'])] ?? '';
  const fields = Object.entries(record)
    .filter(([k, v]) => !NOT_SHOWN.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${valueText(v)}`);
  return `${clock} ${level}${String(record['msg'] ?? '')}${fields.length > 0 ? ` (${fields.join(', ')})` : ''}`;
}

/** A synchronous pino destination writing text lines to a file descriptor. */
export function textDestination(fd: number): { write(line: string): void } {
  return {
    write(line: string): void {
      let text: string;
      try {
        text = formatLogRecord(JSON.parse(line) as Record<string, unknown>);
      } catch {
        text = line.trimEnd();
      }
      writeSync(fd, `${text}\n`);
    },
  };
}
