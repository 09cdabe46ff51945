import { readdirSync } from 'node:fs';

/** The names in directory `dir`; none when it does not exist (any other error, EACCES included, is thrown). */
export function dirEntries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
