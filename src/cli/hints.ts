/**
 * The CLI's own hint lines: one line on stderr after virsh's error text,
 * saying what to do next (never printed with -q, never on stdout, so
 * virsh's output stays byte for byte). Every hint's text is here, in one
 * place, for translation.
 */
import { ConnectError } from '../client/http-errors.js';
import { ENGLISH, type Translator } from './i18n/translate.js';

export const HINTS = {
  daemonNotRunning: "hint: is virtnetd running? Start it as root with 'virtnetd --sandbox' (see README.md), or name its socket with -c unix://PATH",
  tcpNotListening: 'hint: is virtnetd running with --listen HOST:PORT?',
  readwriteNeedsRoot: 'hint: the read-write socket is for root only; run virtnet as root, or add -r (--readonly) for commands that change nothing',
} as const;

/** The hint for a connection that failed, if one helps, in the user's language. */
export function connectHint(err: unknown, tr: Translator = ENGLISH): string | undefined {
  if (!(err instanceof ConnectError)) return undefined;
  const { target, code } = err;
  if ((code === 'EACCES' || code === 'EPERM') && target.kind === 'unix' && !target.readonly) return tr.t(HINTS.readwriteNeedsRoot);
  if (code === 'ENOENT' || code === 'ECONNREFUSED') return tr.t(target.kind === 'unix' ? HINTS.daemonNotRunning : HINTS.tcpNotListening);
  return undefined;
}
