/**
 * Reading the drivers' stored files back: every DIR/STEM.EXT, where STEM is
 * the object's name as src/util/file-stem.ts makes it. A file stored by an
 * older virtnet under the raw name (`.hidden.xml`, `a #b.xml`) is still
 * found, and the store moves it to its stem when it loads it.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { dirEntries } from '../../util/dir-entries.js';
import { join } from 'node:path';
import { fileStem } from '../../util/file-stem.js';

export interface StoredFile {
  /** The file name without its extension. */
  stem: string;
  path: string;
  text: string;
}

/** How a file's stem relates to the name stored in it. */
type StoredAs = 'stem' | 'legacy';

/** Whether the file STEM.EXT holds the object `name`: under its stem, under its raw name (an older layout), or not at all. */
export function storedAs(stem: string, name: string): StoredAs | undefined {
  if (stem === fileStem(name)) return 'stem';
  if (stem === name) return 'legacy';
  return undefined;
}

/**
 * Every regular file DIR/*EXT, sorted by name; none when DIR does not
 * exist. Temporary files (`.NAME.RANDOM.tmp`) never end in EXT. A file that
 * cannot be read goes to `unreadable` (by default the error is thrown).
 */
export function listStoredFiles(
  dir: string,
  ext: string,
  unreadable: (path: string, err: unknown) => void = (_, err) => {
    throw err;
  },
): StoredFile[] {
  const entries = dirEntries(dir);
  return entries
    .filter((f) => f.endsWith(ext) && f.length > ext.length)
    .sort()
    .flatMap((f) => {
      const path = join(dir, f);
      try {
        if (!lstatSync(path).isFile()) return [];
        return [{ stem: f.slice(0, -ext.length), path, text: readFileSync(path, 'utf8') }];
      } catch (e) {
        // Gone between the listing and the read: not there.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') unreadable(path, e);
        return [];
      }
    });
}
