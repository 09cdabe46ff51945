/**
 * Request validation for virtnetd: typebox's compiled checkers in place of
 * fastify's default Ajv, for two reasons. Bodies are checked strictly — no
 * type coercion ("5" is not a boolean, 5 is not XML text) and no silent
 * removal of unknown fields — while query strings and path parameters, which
 * arrive as text, are converted first ("true" → true). And every failure
 * becomes one VirError of class INVALID_ARG whose text names the field and
 * the problem ("body/validate must be boolean", "body has an unknown field
 * 'foo'"), so the client can print it like any libvirt error.
 */
import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { VirError } from '../util/errors.js';

interface CheckError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

const PART_LABEL: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'headers' };

/** One sentence for the first meaningful error of a failed check. */
function describeCheckErrors(part: string, errors: readonly CheckError[]): string {
  const label = PART_LABEL[part] ?? part;
  // typebox reports an unknown property twice: as "schema is false" under the property, and as the object's
  // additionalProperties failure. Keep the latter, which names the field.
  const useful = errors.filter((e) => !(e.keyword === 'boolean' && e.message === 'schema is false'));
  const first = useful[0] ?? errors[0];
  if (!first) return `${label} is invalid`;
  const where = first.instancePath ? `${label}${first.instancePath}` : label;
  const extra = first.params['additionalProperties'];
  if (first.keyword === 'additionalProperties' && Array.isArray(extra) && extra.length > 0) {
    const names = extra.map((n) => `'${String(n)}'`).join(', ');
    return `${where} has ${extra.length === 1 ? 'an unknown field' : 'unknown fields'} ${names}`;
  }
  const required = first.params['requiredProperties'];
  if (first.keyword === 'required' && Array.isArray(required) && required.length > 0) {
    return `${where} lacks the required field${required.length === 1 ? '' : 's'} ${required.map((n) => `'${String(n)}'`).join(', ')}`;
  }
  const allowed = first.params['allowedValues'];
  if (first.keyword === 'enum' && Array.isArray(allowed)) {
    return `${where} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (first.keyword === 'anyOf' || first.keyword === 'oneOf') {
    const options = useful.filter((e) => e.keyword === 'const').map((e) => JSON.stringify(e.params['allowedValue']));
    if (options.length > 0) return `${where} must be one of ${options.join(', ')}`;
  }
  return `${where} ${first.message}`;
}

type Checker = ReturnType<typeof Compile>;

/** Compiled checkers by schema, shared by every listener. */
const checkers = new WeakMap<TSchema, Checker>();

/**
 * fastify's validatorCompiler for typebox schemas. A schema is compiled on
 * the first request that needs it, not for every route of every listener at
 * start-up (bench/README.md, "Daemon memory").
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  let checker: Checker | undefined;
  const part = httpPart ?? 'body';
  const convert = part !== 'body';
  return (input: unknown) => {
    if (checker === undefined) {
      checker = checkers.get(schema) ?? Compile(schema);
      checkers.set(schema, checker);
    }
    const value = convert ? Value.Convert(schema, input) : input;
    if (checker.Check(value)) return { value };
    const errors = [...checker.Errors(value)] as unknown as CheckError[];
    const error = new VirError('INVALID_ARG', describeCheckErrors(part, errors));
    return { error };
  };
};
