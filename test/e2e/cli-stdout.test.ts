/**
 * bin/virtnet's standard output (src/cli/stdout.ts), written straight to descriptor 1: all of it
 * reaches a slow reader, even through a descriptor left non-blocking; a reader that goes away ends the
 * call quietly (`virtnet … | head`); output that cannot be written is an error, not a silent loss.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repo } from './esbuild-bundle.js';

const virtnet = join(repo, 'bin/virtnet');
const built = existsSync(join(repo, 'dist/virtnet.cjs'));
/** Three words of 50,000 characters: `virtnet echo` prints 150 KB, more than a pipe holds (64 KB). */
const words = ['a', 'b', 'c'].map((c) => c.repeat(50_000));
const env = { ...process.env, LC_ALL: 'C' };

describe.skipIf(!built)('the CLI writing its output', () => {
  it('writes all of a long output to a reader that lets the pipe fill up, through a non-blocking descriptor', () => {
    const r = spawnSync('python3', [join(repo, 'test/support/full-nonblocking-pipe.py'), virtnet, 'echo', ...words], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { status: number; full: boolean; bytes: number; text: string; stderr: string };
    expect(out.full).toBe(true);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.text).toBe(`${words.join(' ')}\n`);
  });

  it('ends quietly, with success, when its reader goes away (virtnet … | head)', () => {
    const r = spawnSync('bash', ['-c', '"$0" echo "$@" | head -c 10; echo " ${PIPESTATUS[0]}"', virtnet, ...words], { encoding: 'utf8', env });
    expect(r.stdout).toBe(`${'a'.repeat(10)} 0\n`);
    expect(r.stderr).toBe('');
  });

  it('says so and fails when its output cannot be written (a full disk)', () => {
    const r = spawnSync('bash', ['-c', '"$0" echo hello >/dev/full', virtnet], { encoding: 'utf8', env });
    expect(r.stderr).toBe('error: failed to write to standard output: No space left on device\n');
    expect(r.status).toBe(1);
  });

  it('says it in Spanish under a Spanish locale, strerror included', () => {
    const spanish = { ...process.env, LC_ALL: '', LC_MESSAGES: '', LANGUAGE: '', LANG: 'es_ES.UTF-8' };
    const r = spawnSync('bash', ['-c', '"$0" echo hola >/dev/full', virtnet], { encoding: 'utf8', env: spanish });
    expect(r.stderr).toBe('error: no se pudo escribir en la salida estándar: no queda espacio en el dispositivo\n');
    expect(r.status).toBe(1);
  });
});
