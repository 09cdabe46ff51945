/**
 * The CLI in Spanish: its messages and help (messages-es.ts, help-es.ts), the
 * phrases of doctor's findings (src/contract/phrases-es.ts) and
 * the daemon's errors, filled from the template of each error's code
 * (src/contract/error-codes.ts derives it, src/contract/error-codes-es.ts
 * holds the texts the console shows too). A document that is not well formed
 * keeps virsh's three lines (where, the line, the pointer) with the problem
 * in Spanish. Loaded only for a Spanish call (translate.ts, loadTranslator).
 */
import { errorCodeOf, errorText, type ErrorTexts } from '../../contract/error-codes.js';
import { ERRNO_TEXTS_ES, ERRORS_ES, XML_PROBLEMS_ES } from '../../contract/error-codes-es.js';
import { PHRASES_ES } from '../../contract/phrases-es.js';
import { HELP_ES } from './help-es.js';
import { MESSAGES_ES } from './messages-es.js';
import { translator, type Translator } from './translate.js';

const ERROR_TEXTS: ErrorTexts = {
  errors: { ...ERRORS_ES, 'xml.malformed': '{label}:{line}: {problem}\n{context}\n{pointer}' },
  problems: XML_PROBLEMS_ES,
};

const errno = (text: string): string => ERRNO_TEXTS_ES[text] ?? text;

export const SPANISH: Translator = {
  ...translator('es', { ...PHRASES_ES, ...HELP_ES, ...MESSAGES_ES }),
  error(err) {
    const described = errorCodeOf(err);
    const why = described.params['why'];
    if (why !== undefined) described.params['why'] = errno(why);
    return errorText(described, ERROR_TEXTS);
  },
  errno,
};
