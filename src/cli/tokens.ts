/**
 * Where the command parser gets its words: either the process arguments as
 * they are (several words after the options), or one string split the way
 * vsh splits a command line (one argument, or a line typed in the shell):
 * blanks separate words, `;` separates commands, single quotes are literal,
 * double quotes allow `\` escapes, and a `\` outside single quotes escapes
 * the next character. Errors carry vsh's texts ("missing \"", "dangling \\").
 */

type Token =
  | { kind: 'arg'; text: string }
  /** `;`: the end of one command, the start of the next. */
  | { kind: 'sep' }
  | { kind: 'end' }
  | { kind: 'error'; message: string };

export interface TokenSource {
  next(): Token;
}

/** Words given as separate process arguments (no splitting, no `;`). */
export function argvTokens(args: readonly string[]): TokenSource {
  let i = 0;
  return {
    next(): Token {
      if (i >= args.length) return { kind: 'end' };
      return { kind: 'arg', text: args[i++] as string };
    },
  };
}

/** One command line, split as vsh's vshCommandStringGetArg does. */
export function stringTokens(line: string): TokenSource {
  let pos = 0;
  return {
    next(): Token {
      while (pos < line.length && (line[pos] === ' ' || line[pos] === '\t')) pos++;
      if (pos >= line.length) return { kind: 'end' };
      if (line[pos] === ';') {
        pos++;
        return { kind: 'sep' };
      }
      let single = false;
      let double = false;
      let out = '';
      while (pos < line.length) {
        const c = line[pos] as string;
        if (!single && !double && (c === ' ' || c === '\t' || c === ';')) break;
        if (!double && c === "'") {
          single = !single;
          pos++;
          continue;
        }
        if (!single && c === '\\') {
          pos++;
          if (pos >= line.length) return { kind: 'error', message: 'dangling \\' };
          out += line[pos];
          pos++;
          continue;
        }
        if (!single && c === '"') {
          double = !double;
          pos++;
          continue;
        }
        out += c;
        pos++;
      }
      if (double) return { kind: 'error', message: 'missing "' };
      return { kind: 'arg', text: out };
    },
  };
}
