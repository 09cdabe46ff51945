import { VERSION } from '../util/version.js';

// The daemon lands with issue 4; until then it reports its version.
process.stdout.write(`virtnetd ${VERSION}\n`);
