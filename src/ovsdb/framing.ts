/**
 * OVSDB's JSON-RPC stream carries JSON texts back to back with no
 * delimiter (RFC 7047 §4). JsonSplitter cuts a byte stream into whole
 * top-level texts: it tracks nesting outside strings and keeps its state
 * across chunks, so every byte is looked at once.
 */
import { StringDecoder } from 'node:string_decoder';

export class JsonSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  /** Where scanning resumes in `buffer`. */
  private pos = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Feed a chunk; returns the complete texts it finished, in order. */
  push(chunk: Buffer | string): string[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const texts: string[] = [];
    let start = 0;
    const b = this.buffer;
    for (let i = this.pos; i < b.length; i++) {
      const c = b.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c)
          this.escaped = true; // backslash
        else if (c === 0x22) this.inString = false; // quote
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b)
        this.depth++; // { [
      else if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.depth === 0) {
          texts.push(b.slice(start, i + 1).trim());
          start = i + 1;
        } else if (this.depth < 0) {
          throw new SyntaxError(`unbalanced '${String.fromCharCode(c)}' in the JSON-RPC stream`);
        }
      } else if (this.depth === 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        throw new SyntaxError(`unexpected '${String.fromCharCode(c)}' between JSON-RPC messages`);
      }
    }
    this.buffer = b.slice(start);
    this.pos = this.buffer.length;
    return texts;
  }

  /** Bytes received that do not yet make a whole text. */
  get pending(): number {
    return this.buffer.trim().length;
  }
}
