/**
 * The layering rules of docs/architecture.md, checked on every import in the
 * tree so they stay true: production code never reaches into the tests, and
 * the client, the CLI and the console know the daemon only by its wire
 * contract (src/contract/), never by the drivers' or the daemon's code;
 * util/ is the bottom layer and conf/common/ what network and guest
 * documents share.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');

/** Every relative import of the .ts/.tsx files under `dir`, as repo-relative "file → target" pairs. */
function importsUnder(dir: string): { file: string; target: string }[] {
  const found: { file: string; target: string }[] = [];
  for (const entry of readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' })) {
    if (!/\.tsx?$/.test(entry)) continue;
    const file = join(dir, entry);
    const text = readFileSync(join(REPO, file), 'utf8');
    for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      found.push({ file, target: relative(REPO, resolve(REPO, dirname(file), m[1]!)) });
    }
  }
  return found;
}

/** The imports from `dir` whose target lies under one of `forbidden`, as "file → target" lines. */
function crossings(dir: string, forbidden: string[]): string[] {
  return importsUnder(dir)
    .filter(({ target }) => forbidden.some((f) => target === f || target.startsWith(`${f}/`)))
    .map(({ file, target }) => `${file} → ${target}`);
}

describe('layout', () => {
  it('finds the imports it checks', () => {
    expect(importsUnder('src').length).toBeGreaterThan(100);
  });

  it('nothing under src/ imports from test/ or bench/', () => {
    expect(crossings('src', ['test', 'bench'])).toEqual([]);
  });

  it('the client, the CLI, the contract and the console import nothing from src/driver/ or src/api/', () => {
    const daemon = ['src/driver', 'src/api'];
    expect([
      ...crossings('src/client', daemon),
      ...crossings('src/cli', daemon),
      ...crossings('src/contract', daemon),
      ...crossings('web/src', daemon),
    ]).toEqual([]);
  });

  it('src/util/ imports nothing from the layers above it', () => {
    expect(
      crossings('src/util', ['src/xml', 'src/conf', 'src/plan', 'src/host', 'src/driver', 'src/contract', 'src/api', 'src/client', 'src/cli']),
    ).toEqual([]);
  });

  it('conf/common/ imports nothing from conf/network/ or conf/guest/, and the guest model nothing from the network model', () => {
    expect([...crossings('src/conf/common', ['src/conf/network', 'src/conf/guest']), ...crossings('src/conf/guest', ['src/conf/network'])]).toEqual(
      [],
    );
  });
});
