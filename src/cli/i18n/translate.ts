/**
 * The CLI's language. Its own messages are written in place in English, as
 * virsh writes them (the English text is the message's id, as with gettext),
 * and are looked up in the Spanish catalogue (messages-es.ts), whose keys
 * are those English templates: a message with no Spanish entry fails the
 * type-check. Texts held in data (a command's help, a group's name) go
 * through `text` (help-es.ts holds the help); test/unit/cli-spanish.test.ts checks each of them has its
 * entry. Phrases made outside the CLI (doctor findings, src/contract/phrase.ts) go
 * through `say`, with the catalogue the console uses (src/contract/phrases-es.ts). The daemon's errors are translated by their code (spanish.ts), with
 * the catalogue the console uses (src/contract/error-codes-es.ts).
 *
 * English needs no catalogue; the Spanish one (spanish.ts) is imported only
 * by loadTranslator('es'), so an English call never loads it.
 */
import { fillTemplate } from '../../contract/fill-template.js';
import type { Language } from '../../contract/languages.js';
import { type Phrase, sayPhrase } from '../../contract/phrase.js';
import type { VirError } from '../../util/errors.js';
import type { MESSAGES_ES } from './messages-es.js';

/** An English message of the CLI, with `{param}` placeholders. */
export type MessageId = keyof typeof MESSAGES_ES;
export type MessageParams = Record<string, string | number>;

export interface Translator {
  readonly lang: Language;
  /** One of the CLI's messages in this language, its placeholders filled. */
  t(id: MessageId, params?: MessageParams): string;
  /** A text held in data (a command's help, a group's name), in this language when it has an entry. */
  text(english: string): string;
  /** A phrase made outside the CLI (a doctor finding) in this language. */
  say(p: Phrase): string;
  /** The daemon's error in this language; absent: libvirt's English text as it came. */
  error?(err: VirError): string;
  /** glibc's strerror() text in this language; absent: as it came. */
  errno?(text: string): string;
}

function fill(template: string, params: MessageParams | undefined): string {
  if (params === undefined) return template;
  return fillTemplate(template, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])));
}

/** A translator that looks each text up in `catalogue` (English: an empty one). */
export function translator(lang: Language, catalogue: Readonly<Record<string, string>> = {}): Translator {
  return {
    lang,
    t: (id, params) => fill(catalogue[id] ?? id, params),
    text: (english) => catalogue[english] ?? english,
    say: (p) => sayPhrase(p, catalogue),
  };
}

/** virsh's own English: what the CLI prints under LC_ALL=C. */
export const ENGLISH: Translator = translator('en');

/** The translator for `lang`, its catalogue loaded. */
export async function loadTranslator(lang: Language): Promise<Translator> {
  if (lang === 'en') return ENGLISH;
  return (await import('./spanish.js')).SPANISH;
}
