/**
 * A test oracle: how iproute2's `ip -batch` reads its input (lib/utils.c
 * getcmdline and makeargs): a '#' ends the line, a line ending in '\' goes on
 * with the next, words are split at spaces, tabs, CR and LF, and a word
 * starting with a quote runs to the next same quote.
 */
export function readIpBatch(text: string): string[][] {
  const physical = text.split('\n');
  if (physical.at(-1) === '') physical.pop();
  const out: string[][] = [];
  for (let i = 0; i < physical.length; i++) {
    let line = `${physical[i]!}\n`;
    line = cutComment(line);
    while (line.includes('\\\n') && i + 1 < physical.length) {
      line = line.slice(0, line.indexOf('\\\n')) + cutComment(`${physical[++i]!}\n`);
    }
    out.push(makeArgs(line));
  }
  return out;
}

function cutComment(line: string): string {
  const at = line.indexOf('#');
  return at < 0 ? line : line.slice(0, at);
}

function makeArgs(line: string): string[] {
  const ws = ' \t\r\n';
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && ws.includes(line[i]!)) i++;
    if (i >= line.length) break;
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error('Unterminated quoted string');
      args.push(line.slice(i + 1, end));
      i = end + 1;
    } else {
      let end = i;
      while (end < line.length && !ws.includes(line[end]!)) end++;
      args.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return args;
}
