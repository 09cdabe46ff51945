/**
 * An error as the CLI prints it after "error: ", in the user's language.
 * English is libvirt's text as it came (virsh's output, byte for byte);
 * Spanish fills the template of the error's code (src/contract/error-codes.ts
 * derives it, src/contract/error-codes-es.ts holds the texts the console
 * shows too). A document that is not well formed keeps virsh's three lines
 * (where, the line, the pointer) with the problem in Spanish.
 */
import { errorCodeOf, errorText, type ErrorTexts } from '../../contract/error-codes.js';
import { ERRNO_TEXTS_ES, ERRORS_ES, XML_PROBLEMS_ES } from '../../contract/error-codes-es.js';
import { isVirError } from '../../util/errors.js';
import type { Translator } from './translate.js';

const SPANISH: ErrorTexts = {
  errors: { ...ERRORS_ES, 'xml.malformed': '{label}:{line}: {problem}\n{context}\n{pointer}' },
  problems: XML_PROBLEMS_ES,
};

/** glibc's strerror() text in the user's language. */
export function errnoText(text: string, tr: Translator): string {
  return tr.lang === 'es' ? (ERRNO_TEXTS_ES[text] ?? text) : text;
}

/** The text printed after "error: " for an error (never a stack trace). */
export function errorMessage(err: unknown, tr: Translator): string {
  if (!isVirError(err)) return err instanceof Error ? err.message : String(err);
  if (tr.lang === 'en') return err.message;
  const described = errorCodeOf(err);
  const why = described.params['why'];
  if (why !== undefined) described.params['why'] = errnoText(why, tr);
  return errorText(described, SPANISH);
}
