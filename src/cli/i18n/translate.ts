/**
 * The CLI's language. Its own messages are written in place in English, as
 * virsh writes them (the English text is the message's id, as with gettext),
 * and are looked up in the Spanish catalogue (messages-es.ts), whose keys
 * are those English templates: a message with no Spanish entry fails the
 * type-check. Texts held in data (a command's help, a group's name) go
 * through `text` (help-es.ts holds the help); test/unit/cli-spanish.test.ts checks each of them has its
 * entry. The daemon's errors are translated by their code (errors.ts), with
 * the catalogue the console uses (src/contract/error-codes-es.ts).
 */
import { fillTemplate } from '../../contract/error-codes.js';
import type { Language } from '../../contract/languages.js';
import { HELP_ES } from './help-es.js';
import { MESSAGES_ES } from './messages-es.js';

/** An English message of the CLI, with `{param}` placeholders. */
export type MessageId = keyof typeof MESSAGES_ES;
export type MessageParams = Record<string, string | number>;

export interface Translator {
  readonly lang: Language;
  /** One of the CLI's messages in this language, its placeholders filled. */
  t(id: MessageId, params?: MessageParams): string;
  /** A text held in data (a command's help, a group's name), in this language when it has an entry. */
  text(english: string): string;
}

const CATALOGUES: Record<Language, Readonly<Record<string, string>>> = { en: {}, es: { ...HELP_ES, ...MESSAGES_ES } };

function fill(template: string, params: MessageParams | undefined): string {
  if (params === undefined) return template;
  return fillTemplate(template, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])));
}

export function translator(lang: Language): Translator {
  const catalogue = CATALOGUES[lang];
  return {
    lang,
    t: (id, params) => fill(catalogue[id] ?? id, params),
    text: (english) => catalogue[english] ?? english,
  };
}

/** virsh's own English: what the CLI prints under LC_ALL=C. */
export const ENGLISH = translator('en');
