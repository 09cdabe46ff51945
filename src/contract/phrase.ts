/**
 * A sentence the daemon or a library makes for a user (a doctor finding, a
 * host-setup step): its English template, which is the id of its
 * translations (as the CLI's own messages are, gettext's way), and the
 * values filled into its `{param}`s, themselves text or phrases. Each
 * language's catalogue maps the English templates to its own
 * (src/contract/phrases-es.ts); the CLI and the console both say a phrase
 * with `sayPhrase`.
 */
import { fillTemplate } from './fill-template.js';

export type PhraseValue = string | number;

/** A phrase whose values are plain text (a part of a sentence). */
export interface PlainPhrase {
  en: string;
  params?: Record<string, PhraseValue>;
}

/** A phrase; a value may be a phrase of its own (one level, so the API's schema stays flat). */
export interface Phrase {
  en: string;
  params?: Record<string, PhraseValue | PlainPhrase>;
}

export function phrase(en: string, params?: Record<string, PhraseValue>): PlainPhrase;
export function phrase(en: string, params?: Record<string, PhraseValue | PlainPhrase>): Phrase;
export function phrase(en: string, params?: Record<string, PhraseValue | PlainPhrase>): Phrase {
  return params === undefined ? { en } : { en, params };
}

/** The phrase in the language of `catalogue` (English: none), its parameters said the same way. */
export function sayPhrase(p: Phrase, catalogue: Readonly<Record<string, string>> = {}): string {
  const template = catalogue[p.en] ?? p.en;
  if (p.params === undefined) return template;
  const values = Object.fromEntries(Object.entries(p.params).map(([k, v]) => [k, typeof v === 'object' ? sayPhrase(v, catalogue) : String(v)]));
  return fillTemplate(template, values);
}
