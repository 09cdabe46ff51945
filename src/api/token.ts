/**
 * The TCP token: 32 random bytes as hex, new at every daemon start, written
 * to RUN/token with mode 0600 (root reads it; a user the operator trusts
 * is given it). Every TCP request carries it as `Authorization: Bearer TOKEN`.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';

export function tokenPath(runDir: string): string {
  return join(runDir, 'token');
}

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** Write a fresh token to RUN/token (0600) and return it. */
export function writeToken(runDir: string): string {
  const token = newToken();
  const path = tokenPath(runDir);
  writeFileAtomic(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}
