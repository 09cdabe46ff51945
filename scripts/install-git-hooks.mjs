// npm's `prepare` step: point git at the tracked hooks in .githooks/ (the pre-commit lint).
// Only in virtnet's own git checkout; anywhere else (a tarball install, a copy without .git,
// a machine without git, CI) it does nothing and never fails the install.
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const git = (...args) => spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });

const top = git('rev-parse', '--show-toplevel');
const ownCheckout = top.status === 0 && realpathSync(top.stdout.trim()) === realpathSync(root);
if (ownCheckout && existsSync(resolve(root, '.githooks/pre-commit'))) {
  const set = git('config', 'core.hooksPath', '.githooks');
  if (set.status !== 0) process.stderr.write(`install-git-hooks: could not set core.hooksPath: ${set.stderr}`);
}
