import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { interpreterLine, writeCliLauncher } from '../../scripts/cli-launcher.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'vnt-launcher-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the #! line of bin/virtnet', () => {
  it('names the node that runs the build', () => {
    expect(interpreterLine('/usr/bin/node')).toEqual({ line: '#!/usr/bin/node' });
    expect(interpreterLine('/root/.nvm/versions/node/v20.19.2/bin/node')).toEqual({ line: '#!/root/.nvm/versions/node/v20.19.2/bin/node' });
  });

  it('is /usr/bin/env node, with the reason, for a path no #! line can hold', () => {
    expect(interpreterLine('/opt/my node/bin/node')).toEqual({ line: '#!/usr/bin/env node', fallback: '/opt/my node/bin/node holds a blank' });
    expect(interpreterLine('node')).toEqual({ line: '#!/usr/bin/env node', fallback: 'node is not an absolute path' });
    const deep = `/${'d'.repeat(120)}/bin/node`;
    expect(interpreterLine(deep)).toEqual({ line: '#!/usr/bin/env node', fallback: `${deep} is too long for a #! line` });
    // 127 bytes with "#!" is the longest line every kernel reads whole.
    const longest = `/${'d'.repeat(115)}/bin/node`;
    expect(`#!${longest}`).toHaveLength(127);
    expect(interpreterLine(longest)).toEqual({ line: `#!${longest}` });
  });
});

describe('writeCliLauncher', () => {
  it('writes an executable that runs its source with that node, whatever PATH holds', () => {
    const source = join(scratch, 'hello.cjs');
    writeFileSync(source, "process.stdout.write(`${process.execPath} ${process.argv.slice(2).join(' ')}\\n`);\n");
    const target = join(scratch, 'hello');
    expect(writeCliLauncher(source, target, process.execPath)).toEqual({ line: `#!${process.execPath}` });
    expect(statSync(target).mode & 0o111).toBe(0o111);
    expect(readFileSync(target, 'utf8').split('\n').slice(0, 3)).toEqual([
      `#!${process.execPath}`,
      '// Written by the build from hello.cjs: change that file, then run `npm run build`.',
      "process.stdout.write(`${process.execPath} ${process.argv.slice(2).join(' ')}\\n`);",
    ]);
    // No node on PATH (a cron job, sudo's secure_path): it starts all the same.
    const r = spawnSync(target, ['a', 'b'], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
    expect([r.stdout, r.stderr, r.status]).toEqual([`${process.execPath} a b\n`, '', 0]);
  });

  it('a second build replaces the launcher', () => {
    const source = join(scratch, 'v.cjs');
    const target = join(scratch, 'v');
    writeFileSync(source, "process.stdout.write('one\\n');\n");
    writeCliLauncher(source, target, process.execPath);
    writeFileSync(source, "process.stdout.write('two\\n');\n");
    writeCliLauncher(source, target, process.execPath);
    expect(spawnSync(target, { encoding: 'utf8' }).stdout).toBe('two\n');
  });
});
