/**
 * The logger the network driver writes to: the subset of pino's API it uses
 * (a pino logger fits as is), so the daemon can hand over its own. Every
 * call is (fields, message). The default logs nothing.
 */
export interface DriverLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const nothing = (): void => undefined;

export const silentLogger: DriverLogger = { debug: nothing, info: nothing, warn: nothing, error: nothing };

/** The text of an error for a log line: a VirError's message (libvirt's text), else the error's message. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
