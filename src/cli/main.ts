import { VERSION } from '../util/version.js';

// The virsh-compatible CLI lands with issue 4; until then it reports its version.
const args = process.argv.slice(2);
if (args.includes('--version') || args.includes('-v') || args.length === 0) {
  process.stdout.write(`${VERSION}\n`);
} else {
  process.stderr.write(`error: unknown command: '${args[0]}'\n`);
  process.exitCode = 1;
}
