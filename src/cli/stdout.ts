/**
 * The CLI process's standard output. Written with write(2) on descriptor 1 rather than through
 * process.stdout: making that stream and its first write cost a call ~1 ms of CPU, a tenth of all its
 * own work (bench/README.md, "Issue 17"). process.stdout is made only for a caller that needs the
 * stream itself (readline on a terminal: stdoutStream()).
 */
import { writeSync } from 'node:fs';
import { osErrorText } from '../util/os-error.js';
import { ENGLISH, type MessageId, type Translator } from './i18n/translate.js';

/** What a write that would block waits before it tries again. */
const BLOCKED_WAIT_MS = 1;

let stream: NodeJS.WriteStream | undefined;
let waitCell: Int32Array | undefined;
/** The call's language, told by main.ts once runCli has loaded it (before anything is written). */
let language: Translator | undefined;

const FAILED_TO_WRITE = 'failed to write to standard output: {why}' satisfies MessageId;

/** Say a failed write in `tr`'s language: its catalogue is the call's own, so nothing is loaded to fail. */
export function sayWriteFailuresIn(tr: Translator): void {
  language = tr;
}

/** The reader went away (`virtnet … | head`): end quietly, as any filter does. */
function endQuietly(): never {
  process.exit(process.exitCode ?? 0);
}

/** Output that cannot be written (a full disk, an I/O error) is not lost silently: say so, and fail. */
function failed(err: NodeJS.ErrnoException): never {
  const why = osErrorText(err);
  const tr = language ?? ENGLISH;
  process.stderr.write(`error: ${tr.t(FAILED_TO_WRITE, { why: tr.errno?.(why) ?? why })}\n`);
  process.exit(1);
}

/** process.stdout, made once; its errors end the process as writeStdout's do. */
export function stdoutStream(): NodeJS.WriteStream {
  if (stream === undefined) {
    stream = process.stdout;
    stream.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? endQuietly() : failed(err)));
  }
  return stream;
}

/**
 * Write `text` to standard output, all of it, before returning, so that nothing is lost when the
 * process exits right after. A descriptor another process made non-blocking (EAGAIN) is waited for.
 */
export function writeStdout(text: string): void {
  if (stream !== undefined) {
    stream.write(text);
    return;
  }
  const bytes = Buffer.from(text);
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EPIPE') endQuietly();
      if (err.code !== 'EAGAIN') failed(err);
      waitCell ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(waitCell, 0, 0, BLOCKED_WAIT_MS);
    }
  }
}
