// bin/virtnet, written at build time from bin/virtnet.cjs behind a #! line that names the node running
// the build (process.execPath), as pip writes its scripts for the python that installed them: a call
// then starts node directly instead of through /usr/bin/env, which cost 1.1-1.6 ms of CPU a call here
// (bench/README.md, "Issue 17"), and the code caches the build writes are that node's anyway.
// A path that cannot stand in a #! line (blanks, or a line longer than the 127 bytes older kernels
// read) falls back to `#!/usr/bin/env node`, and the build says so.
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

/** The longest #! line every Linux kernel reads whole (BINPRM_BUF_SIZE was 128 bytes before 5.1, newline included). */
const MAX_INTERPRETER_LINE = 127;

/** The #! line for a launcher run by the node at `nodePath`, and why it is the env fallback when it is. */
export function interpreterLine(nodePath) {
  const line = `#!${nodePath}`;
  if (!nodePath.startsWith('/')) return { line: '#!/usr/bin/env node', fallback: `${nodePath} is not an absolute path` };
  if (/\s/.test(nodePath)) return { line: '#!/usr/bin/env node', fallback: `${nodePath} holds a blank` };
  if (Buffer.byteLength(line) > MAX_INTERPRETER_LINE) return { line: '#!/usr/bin/env node', fallback: `${nodePath} is too long for a #! line` };
  return { line };
}

/** Write `target` (bin/virtnet): `source` (bin/virtnet.cjs) behind the #! line for `nodePath`, executable; replaced whole, never half-written. */
export function writeCliLauncher(source, target, nodePath = process.execPath) {
  const { line, fallback } = interpreterLine(nodePath);
  const partial = `${target}.tmp-${process.pid}`;
  writeFileSync(
    partial,
    `${line}\n// Written by the build from ${basename(source)}: change that file, then run \`npm run build\`.\n${readFileSync(source, 'utf8')}`,
    { mode: 0o755 },
  );
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return { line, fallback };
}
