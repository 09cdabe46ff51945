/**
 * The console's languages: English and Spanish. The first visit follows the
 * browser's preferred languages; a choice made in the masthead is kept in
 * localStorage. The catalogs are TypeScript modules, so a key missing from
 * Spanish, or a t() call naming no key, fails the type-check.
 */
import i18next, { type TFunction } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.js';
import { es } from './es.js';
import { LANGUAGES, languageOfTag, type Language } from '../../../src/contract/languages.js';

export { LANGUAGES, type Language };

const STORAGE_KEY = 'virtnet.language';

export function detectLanguage(): Language {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    /* storage may be disabled */
  }
  const fromStorage = languageOfTag(stored);
  if (fromStorage) return fromStorage;
  for (const lang of navigator.languages ?? [navigator.language]) {
    const found = languageOfTag(lang);
    if (found) return found;
  }
  return 'en';
}

export async function initI18n(): Promise<void> {
  const lng = detectLanguage();
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, es: { translation: es } },
    lng,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = lng;
}

export async function setLanguage(code: Language): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    /* storage may be disabled */
  }
  await i18next.changeLanguage(code);
  document.documentElement.lang = code;
}

export function currentLanguage(): Language {
  return languageOfTag(i18next.language) ?? 'en';
}

/** t() for a key built at run time (e.g. `check.${finding.key}`): typed keys cannot follow it. */
export function tDynamic(t: TFunction, key: string, values?: Record<string, string>): string {
  return (t as unknown as (k: string, o?: Record<string, string>) => string)(key, values);
}
