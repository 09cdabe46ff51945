/**
 * Typed translation keys: t('…') is checked against the English catalog,
 * and every other catalog must have exactly its shape (Catalog).
 */
import type { en } from './en.js';

type Deep<T> = { [K in keyof T]: T[K] extends string ? string : Deep<T[K]> };
export type Catalog = Deep<typeof en>;

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}
