/**
 * The editor session behind net-edit, as virsh's vshEdit* helpers run it:
 * the document goes to a private temporary file ($TMPDIR or /tmp,
 * virtnetXXXXXX.xml), the editor is $VISUAL, else $EDITOR, else vi — run
 * directly when its name is plain, through `sh -c` when it carries
 * arguments or shell syntax — and the file is read back afterwards.
 *
 * node:child_process is imported when the editor runs, not at start-up.
 *
 * `askReedit` is virsh's vshAskReedit: only on a terminal, it prints the
 * pending error, then asks "MSG Try again? [y,n,f,?]: " one keypress at a
 * time until it gets y, n or f.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { VirError } from '../util/errors.js';
import { strerror } from './commands/fs-helpers.js';
import { errnoText } from './i18n/errors.js';
import { CommandAbort, type Shell } from './shell.js';

const ACCEPTED = /^[a-zA-Z0-9\-/_.:@]*$/;
const TEMPLATE_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** vshEditWriteToTempFile: the path of a new 0600 file holding `doc`. */
export function writeTempFile(sh: Shell, doc: string): string {
  const dir = sh.env['TMPDIR'] || '/tmp';
  for (let attempt = 0; ; attempt++) {
    // The name need not be unpredictable: the file is created exclusively (O_EXCL), mode 0600.
    const suffix = Array.from({ length: 6 }, () => TEMPLATE_CHARS[Math.floor(Math.random() * TEMPLATE_CHARS.length)]).join('');
    const path = join(dir, `virtnet${suffix}.xml`);
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 100) continue;
      sh.error(sh.t('mkostemps: failed to create temporary file: {why}', { why: errnoText(strerror(err), sh.tr) }));
      throw new CommandAbort();
    }
    try {
      writeSync(fd, doc);
    } catch (err) {
      closeSync(fd);
      unlinkSync(path);
      sh.error(sh.t('write: {path}: failed to write to temporary file: {why}', { path, why: errnoText(strerror(err), sh.tr) }));
      throw new CommandAbort();
    }
    closeSync(fd);
    return path;
  }
}

/** vshEditFile: run the editor on `file`; a failure is saved as the library error and aborts. */
export async function runEditor(sh: Shell, file: string): Promise<void> {
  const { spawnSync } = await import('node:child_process');
  const editor = sh.env['VISUAL'] || sh.env['EDITOR'] || 'vi';
  let argv: string[];
  if (!ACCEPTED.test(editor)) {
    if (!ACCEPTED.test(file)) {
      sh.error(sh.t('{file}: temporary filename contains shell meta or other unacceptable characters (is $TMPDIR wrong?)', { file }));
      throw new CommandAbort();
    }
    argv = ['sh', '-c', `${editor} ${file}`];
  } else {
    argv = [editor, file];
  }
  const r = spawnSync(argv[0] as string, argv.slice(1), { stdio: 'inherit', env: sh.env as NodeJS.ProcessEnv, cwd: sh.cwd });
  const cmdline = argv.join(' ');
  if (r.error) {
    sh.saveError(new VirError('SYSTEM_ERROR', `Cannot find '${argv[0]}' in path: ${strerror(r.error)}`));
    throw new CommandAbort();
  }
  if (r.status !== 0) {
    const why = r.status === null ? `fatal signal ${r.signal ?? ''}` : `unexpected exit status ${r.status}`;
    sh.saveError(new VirError('INTERNAL_ERROR', `Child process (${cmdline}) ${why}`));
    throw new CommandAbort();
  }
}

/** vshEditReadBackFile. */
export function readBack(sh: Shell, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    sh.error(sh.t('{file}: failed to read temporary file: {why}', { file, why: errnoText(strerror(err), sh.tr) }));
    throw new CommandAbort();
  }
}

type ReeditAnswer = 'y' | 'n' | 'f' | null;

/** vshAskReedit; null when there is no terminal to ask on. */
export async function askReedit(sh: Shell, msg: string): Promise<ReeditAnswer> {
  if (!sh.io.stdinIsTTY || !sh.io.readKey) return null;
  sh.reportError();
  for (;;) {
    sh.print(sh.t('\r{message} Try again? [y,n,f,?]: ', { message: msg }));
    const key = (await sh.io.readKey()).toLowerCase();
    if (key === '?') {
      for (const line of [
        '',
        sh.t('y - yes, start editor again'),
        sh.t('n - no, throw away my changes'),
        sh.t('f - force, try to redefine again'),
        sh.t('? - print this help'),
      ]) {
        sh.print(`${line}\r\n`);
      }
      continue;
    }
    if (key === 'y' || key === 'n' || key === 'f') {
      sh.print('\r\n');
      return key;
    }
    if (key === '\u0003' || key === '\u0004' || key === '') {
      // Ctrl-C / Ctrl-D / end of input: give up like 'n'.
      sh.print('\r\n');
      return 'n';
    }
  }
}

/** Remove the temporary file, ignoring errors. */
export function removeTemp(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
