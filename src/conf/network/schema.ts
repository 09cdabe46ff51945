/**
 * `net-define --validate`: check network XML against virtnet's RelaxNG
 * grammar (schemas/network.rng) before it is parsed, failing exactly the way
 * libvirt's virXMLParse does when asked to validate:
 *
 * 1. not well-formed → the reader's libxml2 parse error;
 * 2. root element not <network> → "XML error: expecting root element of
 *    'network', not 'domain'";
 * 3. schema violation → libvirt 9.0 prints (virsh adds "error: "):
 *
 *      XML document failed to validate against schema: Unable to validate doc against /usr/share/libvirt/schemas/network.rng
 *      Extra element mac in interleave
 *      Element network failed to validate content
 *
 *    i.e. the class prefix, the schema file, then libxml2's messages one per
 *    line. Here the file named is virtnet's own schema.
 *
 * The schema is compiled on first use and kept as long as the libxml2 it was
 * compiled with (src/xml/libxml2.ts).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { XmlDocument } from 'libxml2-wasm';
import { libxml2, libxml2State } from '../../xml/libxml2.js';
import { RelaxNgSchema, RelaxNgSchemaError } from '../../xml/relaxng.js';
import { formatParseError } from '../../xml/reader.js';
import { VirError, internalError, xmlError } from '../../util/errors.js';

/** The document label libvirt uses in parse errors for network XML. */
const LABEL = '(network_definition)';

/** The text libvirt's VIR_ERR_XML_INVALID_SCHEMA class puts before the detail. */
const INVALID_SCHEMA_PREFIX = 'XML document failed to validate against schema: ';

const SCHEMA_FILE = join('schemas', 'network.rng');

/**
 * Find schemas/network.rng in the package root: the nearest ancestor of this
 * module's directory that holds it (src/conf/network/ under vitest, dist/ in
 * the esbuild bundle).
 */
export function networkSchemaPath(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, SCHEMA_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw internalError(`Unable to find schema file ${SCHEMA_FILE} above ${start}`);
}

let schema: RelaxNgSchema | undefined;

function networkSchema(): RelaxNgSchema {
  // Compiled again when the libxml2 it was compiled with was let go (src/xml/libxml2.ts).
  if (schema === undefined || schema.generation !== libxml2State().generation) {
    const path = networkSchemaPath();
    try {
      schema = RelaxNgSchema.fromFile(path);
    } catch (err) {
      if (err instanceof RelaxNgSchemaError) {
        throw internalError(`Unable to parse RNG ${err.path}: ${err.messages.join('')}`);
      }
      throw err;
    }
  }
  return schema;
}

/**
 * Throw the VirError libvirt reports if `xml` is not a well-formed network
 * document valid against the network schema; return quietly otherwise.
 */
export function validateNetworkXml(xml: string): void {
  const { ParseOption, XmlDocument } = libxml2();
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml, {
      url: LABEL,
      option: ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NOWARNING,
    });
  } catch (err) {
    throw new VirError('XML_DETAIL', formatParseError(xml, LABEL, err));
  }
  try {
    const root = doc.root;
    if (root.name !== 'network') {
      throw xmlError(`expecting root element of 'network', not '${root.name}'`);
    }
    const rng = networkSchema();
    const messages = rng.validate(doc);
    if (messages !== null) {
      throw new VirError('XML_INVALID_SCHEMA', `${INVALID_SCHEMA_PREFIX}Unable to validate doc against ${rng.path}\n${messages.join('')}`);
    }
  } finally {
    doc.dispose();
  }
}

/** Free the compiled schema (tests, shutdown); the next validation compiles it again. */
export function disposeNetworkSchema(): void {
  schema?.dispose();
  schema = undefined;
}
