/**
 * How virtnetd turns failures into HTTP answers. Every error body is a
 * VirError as JSON ({class, detail, message}: libvirt's class and text), so
 * the client can rethrow the very same error and the CLI print it as virsh
 * does. The status code only summarises the class.
 *
 * Whatever is not a VirError is translated here and never leaks internals:
 * fastify's own 4xx errors (malformed JSON, body too large, wrong content
 * type) keep their status and get class INVALID_ARG with a plain sentence;
 * anything else is a 500 INTERNAL_ERROR whose stack goes to the log only.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { VirError, type ErrorClass } from '../util/errors.js';

const STATUS: Partial<Record<ErrorClass, number>> = {
  NO_NETWORK: 404,
  NO_DOMAIN: 404,
  OPERATION_DENIED: 403,
  AUTH_FAILED: 401,
  INVALID_ARG: 400,
  XML_ERROR: 400,
  XML_DETAIL: 400,
  XML_INVALID_SCHEMA: 400,
  CONFIG_UNSUPPORTED: 400,
  OPERATION_INVALID: 409,
  OPERATION_FAILED: 409,
  NO_SUPPORT: 501,
  OPERATION_UNSUPPORTED: 501,
};

/** The HTTP status that stands for a libvirt error class. */
export function statusForClass(errorClass: ErrorClass): number {
  return STATUS[errorClass] ?? 500;
}

/** Plain sentences for fastify's own request errors, keyed by fastify's code. */
function describeFastifyError(err: FastifyError, bodyLimit: number): string {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `request body is too large (the limit is ${bodyLimit} bytes)`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported content type: send the request body as application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the request body is empty but its content type is application/json';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return err.message;
    default:
      break;
  }
  if (err instanceof SyntaxError || err.name === 'SyntaxError') return `the request body is not valid JSON: ${err.message}`;
  return err.message;
}

/** The VirError for any failure, and the status to send it with. */
export function toVirError(err: unknown, bodyLimit: number): { status: number; error: VirError; internal: boolean } {
  if (err instanceof VirError) {
    const carried = (err as { statusCode?: unknown }).statusCode;
    const status = typeof carried === 'number' && carried >= 400 && carried < 500 ? carried : statusForClass(err.errorClass);
    return { status, error: err, internal: false };
  }
  const fe = err as Partial<FastifyError> | null;
  const code = typeof fe?.statusCode === 'number' ? fe.statusCode : 0;
  if (code >= 400 && code < 500 && fe) {
    return { status: code, error: new VirError('INVALID_ARG', describeFastifyError(fe as FastifyError, bodyLimit)), internal: false };
  }
  return { status: 500, error: new VirError('INTERNAL_ERROR', 'unexpected failure in virtnetd; see its log'), internal: true };
}

/** fastify's error handler: log, then answer with the VirError body. */
export function makeErrorHandler(bodyLimit: number) {
  return function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const { status, error, internal } = toVirError(err, bodyLimit);
    if (internal) request.log.error({ err }, 'request failed');
    else request.log.info({ class: error.errorClass, detail: error.detail, status }, 'request refused');
    void reply.code(status).type('application/json; charset=utf-8').send(error.toJSON());
  };
}
