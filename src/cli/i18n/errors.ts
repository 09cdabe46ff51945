/**
 * An error as the CLI prints it after "error: ", in the user's language.
 * English is libvirt's text as it came (virsh's output, byte for byte);
 * another language translates the daemon's errors by their code (its
 * Translator's `error`, e.g. spanish.ts).
 */
import { isVirError } from '../../util/errors.js';
import type { Translator } from './translate.js';

/** glibc's strerror() text in the user's language. */
export function errnoText(text: string, tr: Translator): string {
  return tr.errno?.(text) ?? text;
}

/** The text printed after "error: " for an error (never a stack trace). */
export function errorMessage(err: unknown, tr: Translator): string {
  if (!isVirError(err)) return err instanceof Error ? err.message : String(err);
  return tr.error?.(err) ?? err.message;
}
