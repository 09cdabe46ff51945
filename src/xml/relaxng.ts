/**
 * RelaxNG validation with real libxml2 (libxml2-wasm), reporting what
 * libvirt's validator reports: libxml2's own messages, in order, each ending
 * in "\n" (libvirt collects them through libxml2's generic error callback and
 * drops warnings).
 *
 * A schema is compiled from a file. Its `<include>`/`<externalRef>` files are
 * read through one libxml2 input provider that serves only files under the
 * directories of schemas compiled here, so nothing else on disk becomes
 * readable to libxml2.
 */
import { readFileSync, openSync, readSync, closeSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import type { ErrorDetail, RelaxNGValidator, XmlDocument } from 'libxml2-wasm';
import { libxml2, libxml2State } from './libxml2.js';

/** libxml2's error level for warnings (1); errors are 2, fatal errors 3. */
const WARNING_LEVEL = 1;

/** Directories whose files libxml2 may read while compiling schemas. */
const schemaDirs = new Set<string>();
/** The libxml2 (its generation) the input provider is registered with. */
let providerGeneration = 0;

function insideSchemaDir(filename: string): string | undefined {
  let path = filename;
  if (path.startsWith('file://')) {
    try {
      path = decodeURIComponent(new URL(path).pathname);
    } catch {
      return undefined;
    }
  }
  if (!path.startsWith('/')) return undefined;
  const full = resolve(path);
  for (const dir of schemaDirs) if (full.startsWith(dir + sep)) return full;
  return undefined;
}

/** Let libxml2 read files under `dir` (schema includes). Registers the provider once. */
function allowSchemaDir(dir: string): void {
  schemaDirs.add(resolve(dir));
  const { xmlRegisterInputProvider } = libxml2();
  const { generation } = libxml2State();
  if (providerGeneration === generation) return;
  if (
    !xmlRegisterInputProvider({
      match: (filename) => insideSchemaDir(filename) !== undefined,
      open: (filename) => {
        const path = insideSchemaDir(filename);
        if (path === undefined) return undefined;
        try {
          return openSync(path, 'r');
        } catch {
          return undefined;
        }
      },
      read: (fd, buf) => {
        try {
          return readSync(fd, buf, 0, buf.byteLength, null);
        } catch {
          return -1;
        }
      },
      close: (fd) => {
        try {
          closeSync(fd);
          return true;
        } catch {
          return false;
        }
      },
    })
  )
    return;
  providerGeneration = generation;
}

/** The messages libvirt would collect from libxml2's diagnostics: errors only, each ending in "\n". */
function relaxNgMessages(details: readonly ErrorDetail[]): string[] {
  return details.filter((d) => d.level > WARNING_LEVEL).map((d) => (d.message.endsWith('\n') ? d.message : `${d.message}\n`));
}

/** Thrown when a schema file cannot be read or compiled. */
export class RelaxNgSchemaError extends Error {
  constructor(
    readonly path: string,
    /** libxml2's messages, each ending in "\n" (may be empty). */
    readonly messages: string[],
    cause?: unknown,
  ) {
    super(`Unable to parse RNG ${path}: ${messages.join('')}`, { cause });
    this.name = 'RelaxNgSchemaError';
  }
}

/**
 * A compiled RelaxNG schema. Holds wasm memory: call `dispose()` when done
 * (long-lived schemas may simply live as long as their libxml2: see
 * `generation`).
 */
export class RelaxNgSchema {
  private constructor(
    /** The absolute path of the schema file. */
    readonly path: string,
    private validator: RelaxNGValidator | null,
    /** The libxml2 it was compiled with (src/xml/libxml2.ts): it validates only that one's documents. */
    readonly generation: number,
  ) {}

  /** Compile the schema in `path`; its includes are resolved next to it. */
  static fromFile(path: string): RelaxNgSchema {
    const absolute = resolve(path);
    let text: string;
    try {
      text = readFileSync(absolute, 'utf8');
    } catch (err) {
      throw new RelaxNgSchemaError(absolute, [], err);
    }
    allowSchemaDir(dirname(absolute));
    const { RelaxNGValidator, XmlDocument, XmlLibError } = libxml2();
    let schemaDoc: XmlDocument;
    try {
      schemaDoc = XmlDocument.fromString(text, { url: absolute });
    } catch (err) {
      throw new RelaxNgSchemaError(absolute, err instanceof XmlLibError ? relaxNgMessages(err.details) : [], err);
    }
    try {
      return new RelaxNgSchema(absolute, RelaxNGValidator.fromDoc(schemaDoc), libxml2State().generation);
    } catch (err) {
      throw new RelaxNgSchemaError(absolute, err instanceof XmlLibError ? relaxNgMessages(err.details) : [], err);
    } finally {
      schemaDoc.dispose();
    }
  }

  /**
   * Validate a parsed document. Returns null when it is valid, otherwise
   * libxml2's messages in the order it reported them, each ending in "\n"
   * (the list can be empty if libxml2 gave no reason).
   */
  validate(doc: XmlDocument): string[] | null {
    if (this.validator === null) throw new Error(`RelaxNG schema ${this.path} is disposed`);
    const { XmlError, XmlLibError } = libxml2();
    if (libxml2State().generation !== this.generation) throw new Error(`RelaxNG schema ${this.path} was compiled by a libxml2 since let go`);
    try {
      this.validator.validate(doc);
      return null;
    } catch (err) {
      if (err instanceof XmlLibError) return relaxNgMessages(err.details);
      if (err instanceof XmlError) return [];
      throw err;
    }
  }

  /** Free the compiled schema. Further `validate` calls throw. */
  dispose(): void {
    this.validator?.dispose();
    this.validator = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
