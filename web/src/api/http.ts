/**
 * fetch() to virtnetd from the browser: JSON in and out, the session's CSRF
 * token on every request that changes state, and the daemon's errors
 * (libvirt's class and text) as ApiError. A 401 means the session is gone
 * (the daemon restarted with a new token): the app goes back to its login
 * page through `onUnauthorized`.
 */
import { CSRF_HEADER_NAME } from '../../../src/contract/console-api.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorClass: string,
    readonly detail: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;
let unauthorized: () => void = () => {};

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers[CSRF_HEADER_NAME] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError(0, 'SYSTEM_ERROR', 'virtnetd cannot be reached', 'virtnetd cannot be reached');
  }
  const text = await res.text();
  let parsed: unknown;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiError(
        res.status,
        'INTERNAL_ERROR',
        `virtnetd sent an answer that is not JSON (HTTP status ${res.status})`,
        `virtnetd sent an answer that is not JSON (HTTP status ${res.status})`,
      );
    }
  }
  if (res.status >= 400) {
    const e = (parsed ?? {}) as { class?: string; detail?: string; message?: string };
    const error = new ApiError(res.status, e.class ?? 'INTERNAL_ERROR', e.detail ?? '', e.message ?? `HTTP ${res.status}`);
    if (res.status === 401 && !path.endsWith('/login')) unauthorized();
    throw error;
  }
  return parsed as T;
}

/** The message to show for any failure. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
