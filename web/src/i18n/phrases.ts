/**
 * Phrases the daemon makes (doctor findings: src/contract/phrase.ts) in the
 * console's language, from the catalogue the CLI uses too
 * (src/contract/phrases-es.ts).
 */
import { type Phrase, sayPhrase } from '../../../src/contract/phrase.js';
import { PHRASES_ES } from '../../../src/contract/phrases-es.js';
import { currentLanguage } from './index.js';

export const sayInLanguage = (p: Phrase): string => sayPhrase(p, currentLanguage() === 'es' ? PHRASES_ES : {});
