import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directories a file the build compiles (virtnet-zygote.so, virtnet-pageout) is looked for in:
 * beside this bundle (dist/) and, run from source, the repository's dist/.
 */
export function builtFileDirs(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  return [here, resolve(here, '../../dist')];
}
