/**
 * How virtnetd turns failures into HTTP answers. Every error body is a
 * VirError as JSON ({class, detail, message}: libvirt's class and text), so
 * the client can rethrow the very same error and the CLI print it as virsh
 * does. The status code summarises the class, unless the error carries
 * its own (statusOf in src/util/errors.ts: a caller's mistake that libvirt
 * calls an internal error is a 400, a full disk a 507).
 *
 * Whatever is not a VirError is translated here and never leaks internals:
 * fastify's own 4xx errors (malformed JSON, body too large, wrong content
 * type) keep their status and get class INVALID_ARG with a plain sentence;
 * an OS error says what happened ("No space left on device: mkdir '…'");
 * anything else is a 500 INTERNAL_ERROR whose stack goes to the log only.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { VirError, statusOf } from '../util/errors.js';
import { describedOsError } from '../util/os-error.js';
import { ThrottledError } from './auth-throttle.js';
import { errorCodeOf, type ErrorDescription } from '../contract/error-codes.js';

/** The body of every error answer: libvirt's class and text, and the code and parameters a client translates (src/contract/error-codes.ts). */
export function errorBody(error: VirError): ReturnType<VirError['toJSON']> & ErrorDescription {
  return { ...error.toJSON(), ...errorCodeOf(error) };
}

/** The longest path parameter (a network or guest name) the router takes; longer ones are refused with 414. */
export const MAX_PARAM_LENGTH = 4096;

/** Plain sentences for fastify's own request errors, keyed by fastify's code. */
function describeFastifyError(err: FastifyError, bodyLimit: number): string {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `request body is too large (the limit is ${bodyLimit} bytes)`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported content type: send the request body as application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the request body is empty but its content type is application/json';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return `a name in the request path is longer than ${MAX_PARAM_LENGTH} characters`;
    case 'FST_ERR_BAD_URL':
      return 'the request path is not valid percent-encoded UTF-8';
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
function toVirError(err: unknown, bodyLimit: number): { status: number; error: VirError; internal: boolean } {
  if (err instanceof VirError) {
    const status = statusOf(err);
    return { status, error: err, internal: status >= 500 };
  }
  const fe = err as Partial<FastifyError> | null;
  const code = typeof fe?.statusCode === 'number' ? fe.statusCode : 0;
  if (code >= 400 && code < 500 && fe) {
    return { status: code, error: new VirError('INVALID_ARG', describeFastifyError(fe as FastifyError, bodyLimit)), internal: false };
  }
  // An OS error nobody turned into a VirError still says what happened (a full disk, a name too long).
  const os = describedOsError(err);
  if (os) return { status: statusOf(os), error: os, internal: true };
  return { status: 500, error: new VirError('INTERNAL_ERROR', 'unexpected failure in virtnetd; see its log'), internal: true };
}

/** How much of a refused request body the daemon reads and drops before answering 413, and for how long at most. */
const DRAIN_BYTES = 64 * 1024 * 1024;
const DRAIN_MS = 30_000;

/**
 * Read and drop the rest of a request body that is too large, so the 413
 * reaches a client that sends its whole body before it reads the answer
 * (most do): answering first and closing makes the client's next write
 * fail with EPIPE/ECONNRESET and it never sees the 413. Resolves true once
 * the body has ended (the connection may be kept), false at the bounds.
 */
function drainBody(stream: IncomingMessage): Promise<boolean> {
  if (stream.readableEnded || stream.destroyed) return Promise.resolve(stream.readableEnded);
  return new Promise((resolve) => {
    let read = 0;
    const finish = (ended: boolean): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onError);
      resolve(ended);
    };
    const onData = (chunk: Buffer): void => {
      read += chunk.length;
      if (read > DRAIN_BYTES) finish(false);
    };
    const onEnd = (): void => finish(true);
    const onError = (): void => finish(false);
    const timer = setTimeout(() => finish(false), DRAIN_MS);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onError);
    stream.resume();
  });
}

/** fastify's error handler: log, then answer with the VirError body. */
export function makeErrorHandler(bodyLimit: number) {
  return async function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { status, error, internal } = toVirError(err, bodyLimit);
    if (internal) request.log.error({ err, status }, 'request failed');
    else request.log.debug({ class: error.errorClass, detail: error.detail, status }, 'request refused');
    if (status === 413 && (await drainBody(request.raw))) {
      // fastify closes the connection after a body it could not parse; the body is read, so it may stay.
      reply.removeHeader('connection');
    }
    if (err instanceof ThrottledError) reply.header('retry-after', String(err.retryAfterS));
    return reply.code(status).type('application/json; charset=utf-8').send(errorBody(error));
  };
}
