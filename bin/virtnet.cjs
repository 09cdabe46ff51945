// virtnet, the virsh-compatible CLI. This is the source of bin/virtnet, which the build writes
// (scripts/cli-launcher.mjs): this file behind a #! line naming the node that ran the build, so a
// call starts that node directly, without /usr/bin/env (`node bin/virtnet.cjs` runs it too).
// It runs the bundle dist/virtnet.cjs and the chunks it loads on demand (dist/virtnet-*.cjs, a
// command's module, the Spanish catalogue, ...), each compiled from its own V8 code cache FILE.cache,
// which the build writes by running bin/virtnet once with VIRTNET_WRITE_CODE_CACHE=1. A cache that
// does not match is not used and the file is compiled as usual: one written for another build (the
// cache starts with the build's id, the file's first line names it; V8 itself checks only the
// source's length) or rejected by V8 (another node). CommonJS (bin/package.json) and code caches: a
// call starts without Node's ESM loader and without parsing (bench/README.md, "Issue 17").
// VIRTNET_CODE_CACHE_REPORT=1 says on stderr, for each file, whether its cache was used.
'use strict';
const { readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');
const { Script } = require('node:vm');

const dist = join(__dirname, '../dist');
const bundle = join(dist, 'virtnet.cjs');
const report = process.env.VIRTNET_CODE_CACHE_REPORT === '1';
const writeCaches = process.env.VIRTNET_WRITE_CODE_CACHE === '1';
/** Every file compiled, for VIRTNET_WRITE_CODE_CACHE. */
const compiled = new Map();

const BUILD_MARK = '/*virtnet-build:';
/** The build a file of the bundle names on its first line (compared, not matched: a regular expression costs its compilation). */
function buildOf(source) {
  const end = source.startsWith(BUILD_MARK) ? source.indexOf('*/', BUILD_MARK.length) : -1;
  return end < 0 ? undefined : source.slice(BUILD_MARK.length, end);
}

const wrap = (source) => `(function (exports, require, module, __filename, __dirname, __virtnetImport) {${source}\n})`;

/** A file of the bundle as a function of (exports, require, module, __filename, __dirname, import). */
function compile(file, source) {
  const build = buildOf(source);
  const tag = Buffer.from(`virtnet-build:${build}\n`);
  let cachedData;
  let stale = false;
  try {
    const cache = readFileSync(`${file}.cache`);
    if (build !== undefined && cache.subarray(0, tag.length).equals(tag)) cachedData = cache.subarray(tag.length);
    else stale = true;
  } catch {
    // no cache: compiled from source
  }
  const script = new Script(wrap(source), cachedData ? { filename: file, cachedData } : { filename: file });
  if (report) {
    const state = stale ? 'rejected (another build)' : cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used';
    process.stderr.write(`virtnet: ${file === bundle ? '' : `${basename(file)}: `}code cache ${state}\n`);
  }
  if (build !== undefined) compiled.set(file, { script, tag });
  return script.runInThisContext();
}

const chunks = new Map();
// import() from here: vm.Script code has no module loader of its own.
const importHere = (specifier) => import(specifier);

/** require() for the bundle's files: a chunk of the bundle (./virtnet-*.cjs) compiled from its cache, anything else (node:*) this file's. */
function bundleRequire(id) {
  if (!id.startsWith('./virtnet-')) return require(id);
  let mod = chunks.get(id);
  if (mod === undefined) {
    const file = join(dist, id);
    mod = { exports: {} };
    chunks.set(id, mod);
    compile(file, readFileSync(file, 'utf8'))(mod.exports, bundleRequire, mod, file, dist, importHere);
  }
  return mod.exports;
}

let source;
try {
  source = readFileSync(bundle, 'utf8');
} catch {
  process.stderr.write("virtnet: dist/virtnet.cjs is missing; build it first with 'npm run build'\n");
  process.exit(1);
}
const main = compile(bundle, source);
if (writeCaches) {
  // The files this run compiled get a cache of what ran; the other chunks, one of their compilation.
  process.once('exit', () => {
    for (const f of readdirSync(dist)) {
      const file = join(dist, f);
      if (!/^virtnet-.*\.cjs$/.test(f) || compiled.has(file)) continue;
      const chunk = readFileSync(file, 'utf8');
      const build = buildOf(chunk);
      if (build === undefined) continue;
      const script = new Script(wrap(chunk), { filename: file });
      compiled.set(file, { script, tag: Buffer.from(`virtnet-build:${build}\n`) });
    }
    for (const [file, { script, tag }] of compiled) writeFileSync(`${file}.cache`, Buffer.concat([tag, script.createCachedData()]));
  });
}
const mod = { exports: {} };
main(mod.exports, bundleRequire, mod, bundle, dist, importHere);
