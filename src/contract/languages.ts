/**
 * The languages virtnet speaks, and how a language is read from a tag: the
 * console's (a browser's BCP 47 `es-ES`) and the CLI's (a POSIX locale,
 * `es_ES.UTF-8`). One list for both, so they never disagree on what exists.
 */

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'es', label: 'Español' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

/** The language of a BCP 47 tag or a POSIX locale name, if virtnet speaks it. */
export function languageOfTag(tag: string | null | undefined): Language | undefined {
  const base = tag?.toLowerCase().split(/[-_.@]/)[0];
  return LANGUAGES.find((l) => l.code === base)?.code;
}

/**
 * The language of messages for a process environment, chosen as gettext
 * chooses it: the locale is LC_ALL, else LC_MESSAGES, else LANG; the C and
 * POSIX locales (or none) are English, whatever LANGUAGE says; otherwise
 * LANGUAGE's list (`es:en`) comes first, then the locale itself.
 */
export function languageOfEnv(env: Record<string, string | undefined>): Language {
  const locale = [env['LC_ALL'], env['LC_MESSAGES'], env['LANG']].find((v) => v !== undefined && v !== '');
  if (locale === undefined || locale === 'C' || locale === 'POSIX' || locale.startsWith('C.')) return 'en';
  for (const entry of (env['LANGUAGE'] ?? '').split(':')) {
    const lang = languageOfTag(entry);
    if (lang) return lang;
  }
  return languageOfTag(locale) ?? 'en';
}
