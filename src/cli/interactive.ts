/**
 * The interactive shell (`virtnet` with no command), as virsh runs it:
 * the welcome text (not with -q), the prompt "virtnet # " ("virtnet > "
 * read-only), each line parsed like a command string (`;`, quotes), and
 * `exit`/`quit` or end of input to leave, followed by a line break.
 *
 * On a terminal, node's readline edits the line and keeps the history.
 * Without one (input piped in), the prompt and the line read are echoed to
 * stdout, as virsh's readline does. node:readline is loaded only here.
 */
import { parseCommands } from './parse.js';
import type { Shell } from './shell.js';
import { stringTokens } from './tokens.js';

/** Where lines come from: null at end of input. */
export interface LineSource {
  read(prompt: string): Promise<string | null>;
  close(): void;
}

/** Lines from a terminal, with editing and history. */
export async function terminalLines(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<LineSource> {
  const { createInterface } = await import('node:readline');
  const history: string[] = [];
  return {
    read(prompt) {
      return new Promise((resolve) => {
        // A fresh interface per line, so a command may read the terminal itself (net-edit's question).
        const rl = createInterface({ input, output, terminal: true, history: [...history], historySize: 1000 });
        let answered = false;
        rl.on('close', () => {
          if (!answered) resolve(null);
        });
        // Ctrl-C at the prompt leaves the shell, as it leaves virsh.
        rl.on('SIGINT', () => rl.close());
        rl.question(prompt, (line) => {
          answered = true;
          if (line.trim() !== '' && history[0] !== line) history.unshift(line);
          rl.close();
          resolve(line);
        });
      });
    },
    close() {
      // Nothing held between lines.
    },
  };
}

/** Lines from a pipe or file; the prompt and the line are echoed by the caller. */
export async function pipedLines(input: NodeJS.ReadableStream): Promise<LineSource> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input, terminal: false, crlfDelay: Infinity });
  const it = rl[Symbol.asyncIterator]();
  return {
    async read() {
      const r = await it.next();
      return r.done ? null : (r.value as string);
    },
    close() {
      rl.close();
    },
  };
}

/** Run the shell until exit/quit or end of input. */
export async function interactive(sh: Shell, lines: LineSource, echo: boolean): Promise<void> {
  sh.interactive = true;
  if (!sh.quiet) {
    sh.print(sh.t('Welcome to virtnet, the virtualization interactive terminal.\n\n'));
    sh.print(sh.t("Type:  'help' for help with commands\n       'quit' to quit\n\n"));
  }
  try {
    while (sh.interactive) {
      const prompt = sh.readonly ? 'virtnet > ' : 'virtnet # ';
      const line = await lines.read(prompt);
      if (echo) sh.print(line === null ? prompt : `${prompt}${line}\n`);
      if (line === null) break;
      if (line === '') continue;
      const cmds = parseCommands(stringTokens(line), { find: (n) => sh.findCommand(n), error: (m) => sh.error(m), tr: sh.tr });
      if (cmds) await sh.runCommands(cmds);
    }
    sh.print('\n');
  } finally {
    lines.close();
  }
}
