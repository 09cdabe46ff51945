// The CLI's bundle, shared by scripts/build.mjs (dist/virtnet.cjs) and the end-to-end tests'
// private bundles (test/e2e/esbuild-bundle.ts): CommonJS, run by bin/virtnet from V8's code caches
// or as plain files (`node dist/virtnet.cjs`, the tests). What a call does not need is in chunks
// beside it, loaded on demand: each command's module (src/cli/commands/index.ts is replaced by its
// data and a run() that imports the command's module), the Spanish catalogue, libxml2's helpers
// (docs/architecture.md, src/cli; bench/README.md, "Issue 17").
//
// Every file's first line names this build (/*virtnet-build:UUID*/, a new one each time): bin/virtnet
// uses a file's code cache only if the cache names the same build, since V8 itself checks no more than
// the source's length and would run a stale cache's code for a rebuilt file of the same length.
//
// Under bin/virtnet the code is compiled with vm.Script, where import() has no loader behind it. So the
// dynamic imports of what stays outside the bundle (node:* modules, libxml2-wasm) go through
// __dynamicImport: bin/virtnet's own import() when it passes one (__virtnetImport), the file's otherwise.
import { build, transform } from 'esbuild';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nodeEsmBundle } from './node-bundle.mjs';

const EXTERNAL_IMPORT = /\bimport\(\s*(['"])(node:[^'"]+|libxml2-wasm)\1\s*\)/g;

const externalImports = {
  name: 'virtnet-external-imports',
  setup(b) {
    b.onLoad({ filter: /\/src\/cli\/commands\/index\.ts$/ }, async () => ({ contents: await commandIndexSource(), loader: 'ts' }));
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = (await readFile(args.path, 'utf8')).replace(EXTERNAL_IMPORT, '__dynamicImport($1$2$1)');
      return { contents: COMMAND_MODULE.test(args.path) ? withoutHelpTexts(source) : source, loader: 'ts' };
    });
  },
};

/** A command's module (its run(); the bundle's index holds the command's data). */
const COMMAND_MODULE = /\/src\/cli\/commands\/(?!index\.ts$)[^/]+\.ts$/;

/** A string in the source ('…', "…", or `…` without ${}), and strings joined with + after it. */
const STRING = /(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\$]|\\.)*`)/.source;
/** A help text of a command or an option, as its module writes it (Biome's layout): `help: TEXT` or `desc: TEXT`. */
const HELP_TEXT = new RegExp(String.raw`((?:^|[{,])\s*(?:help|desc):\s*)${STRING}(?:\s*\+\s*${STRING})*`, 'gm');

/**
 * A command module's source with the help texts of its commands and options left empty: in the bundle
 * they are read from the help file (fillHelpTextsWith), never from the module, so they stay out of every
 * chunk and out of the start-up file (STARTUP_COMMANDS).
 */
const withoutHelpTexts = (source) => source.replace(HELP_TEXT, "$1''");

/**
 * The modules of the commands scripts call most, the read-only lookups that make one request
 * (net-dumpxml, net-info, net-uuid, net-name): written into the start-up file as the chunks it needs
 * are, so such a call reads and compiles one file, not two. Every other command's module is a chunk.
 */
const STARTUP_COMMANDS = ['net-inspect.ts'];

/** The help texts of the commands the last commandIndexSource() made, as JSON. */
let helpTexts;
/** Their file, beside the start-up file (__VIRTNET_HELP_FILE__ in the bundle's code). */
const helpFile = (name) => `${name}-help.json`;

const COMMANDS_DIR = fileURLToPath(new URL('../src/cli/commands/', import.meta.url));
const COMMAND_INDEX = join(COMMANDS_DIR, 'index.ts');
const STARTUP_HELPERS = ['../lookup.js', '../options.js', './fs-helpers.js', './xml-dump.js'];

/**
 * The source that stands for src/cli/commands/index.ts in the CLI's bundle: COMMANDS over the
 * commands as data, each made when first found by name (so a call makes only the one it names) or
 * listed (help, completion), its run() importing the module that exports the command. The real GROUPS is loaded (an
 * ESM bundle of the command modules in a scratch folder) and each command found among the
 * modules' exports; a command that no module exports, or a field of a command or group that is
 * not plain data besides run(), fails the build.
 */
async function commandIndexSource() {
  const files = readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .sort();
  const dir = mkdtempSync(join(tmpdir(), 'virtnet-commands-'));
  try {
    const out = join(dir, 'commands.mjs');
    await build({
      stdin: {
        contents:
          `export { GROUPS } from ${JSON.stringify(COMMAND_INDEX)};\n` +
          files.map((f, i) => `export * as m${i} from ${JSON.stringify(join(COMMANDS_DIR, f))};\n`).join(''),
        resolveDir: COMMANDS_DIR,
        loader: 'ts',
      },
      outfile: out,
      ...nodeEsmBundle,
      logLevel: 'error',
    });
    const loaded = await import(pathToFileURL(out).href);
    const where = (def) => {
      for (let i = 0; i < files.length; i++) for (const [name, value] of Object.entries(loaded[`m${i}`])) if (value === def) return [i, name];
      throw new Error(`bundle-cli: command ${def.name} is exported by no module of src/cli/commands`);
    };
    const plain = (value, what) =>
      JSON.stringify(value, (key, v) => {
        if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') throw new Error(`bundle-cli: ${what}.${key} is not data`);
        return v;
      });
    // The help texts (a command's help and desc, its options' help) are left out of the start-up file, in
    // NAME-help.json beside it, read only when help is printed (src/cli/help.ts): one [help, desc, ...options'
    // help] per command, in order.
    const helps = [];
    // Each command's entry, by name: its data as JSON, its module, the name the module exports it by.
    const entries = [];
    const groups = loaded.GROUPS.map((g) => {
      const { commands, ...rest } = g;
      plain(rest, `group ${g.name}`);
      return {
        ...rest,
        commands: commands.map((def) => {
          const { run, help, desc, opts, ...data } = def;
          if (typeof run !== 'function') throw new Error(`bundle-cli: command ${def.name} has no run()`);
          plain(data, `command ${def.name}`);
          plain(opts, `command ${def.name}`);
          helps.push([help, desc, ...opts.map((o) => o.help)]);
          entries.push([def.name, JSON.stringify({ ...data, opts: opts.map(({ help: _help, ...o }) => o) }), ...where(def)]);
          return def.name;
        }),
      };
    });
    helpTexts = JSON.stringify(helps);
    const used = [...new Set(entries.map(([, , i]) => i))].sort((a, b) => a - b);
    return (
      "import { readFileSync } from 'node:fs';\n" +
      "import type { CommandDef, CommandGroup, CommandIndex, OptDef } from '../command.js';\n" +
      "import { fillHelpTextsWith } from '../help.js';\n" +
      // Helpers nearly every command uses, small: loaded at start-up rather than as files of their own.
      STARTUP_HELPERS.map((m) => `import ${JSON.stringify(m)};\n`).join('') +
      `const load: Record<number, () => Promise<Record<string, CommandDef>>> = {\n${used
        .map(
          (i) =>
            `  ${i}: () => import(${JSON.stringify(`./${files[i].replace(/\.ts$/, '.js')}`)}) as unknown as Promise<Record<string, CommandDef>>,\n`,
        )
        .join('')}};\n` +
      // A switch: nothing is made at start-up, and a call makes only the command it names.
      'function entry(name: string): [data: string, file: number, exported: string] | undefined {\n' +
      '  switch (name) {\n' +
      entries
        .map(
          ([n, data, file, exported]) => `    case ${JSON.stringify(n)}: return [${JSON.stringify(data)}, ${file}, ${JSON.stringify(exported)}];\n`,
        )
        .join('') +
      '  }\n' +
      '  return undefined;\n' +
      '}\n' +
      'const made = new Map<string, CommandDef>();\n' +
      'function find(name: string): CommandDef | undefined {\n' +
      '  let def = made.get(name);\n' +
      '  if (def !== undefined) return def;\n' +
      '  const e = entry(name);\n' +
      '  if (e === undefined) return undefined;\n' +
      '  const [data, file, exported] = e;\n' +
      '  def = { ...JSON.parse(data), run: async (sh, cmd) => ((await load[file]!())[exported] as CommandDef).run(sh, cmd) } as CommandDef;\n' +
      '  made.set(name, def);\n' +
      '  return def;\n' +
      '}\n' +
      'let groups: readonly CommandGroup[] | undefined;\n' +
      'export const COMMANDS: CommandIndex = {\n' +
      '  groups: () =>\n' +
      `    (groups ??= (JSON.parse(${JSON.stringify(JSON.stringify(groups))}) as (Omit<CommandGroup, 'commands'> & { commands: string[] })[]).map(\n` +
      '      ({ commands, ...g }) => ({ ...g, commands: commands.map((n) => find(n)!) }),\n' +
      '    )),\n' +
      '  find,\n' +
      '};\n' +
      'fillHelpTextsWith(() => {\n' +
      "  const helps: string[][] = JSON.parse(readFileSync(`${__dirname}/${__VIRTNET_HELP_FILE__}`, 'utf8'));\n" +
      '  let i = 0;\n' +
      '  for (const g of COMMANDS.groups())\n' +
      '    for (const c of g.commands) {\n' +
      '      const [help, desc, ...opts] = helps[i++]!;\n' +
      '      Object.assign(c, { help, desc });\n' +
      '      c.opts.forEach((o, j) => Object.assign(o as OptDef, { help: opts[j] }));\n' +
      '    }\n' +
      '});\n'
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The text every file of the CLI starts with: the build's name, then what the bundled code takes from its file. */
function prelude(buildId) {
  return (
    `/*virtnet-build:${buildId}*/\n` +
    "var __dynamicImport = typeof __virtnetImport === 'function' ? __virtnetImport : (s) => import(s);" +
    " var __importMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" +
    // The chunks this build's files share, by the name their code requires them with (below).
    ` var __virtnetChunks = (globalThis[Symbol.for('virtnet-chunks:${buildId}')] ??= new Map());` +
    ' var __virtnetChunk = (id) => { const c = __virtnetChunks.get(id); if (c === undefined) return require(id);' +
    ' if (c.module === undefined) { c.module = { exports: {} }; c.factory.call(c.module.exports, c.module.exports, require, c.module, __filename, __dirname); } return c.module.exports; };\n'
  );
}

/**
 * Bundle src/cli/main.ts as `outfile` (NAME.cjs) and the chunks it loads on demand beside it
 * (NAME-*.cjs, the files of an earlier build removed). esbuild splits the ESM module graph (a
 * module lives in exactly one chunk, so each has one instance); each chunk is then made CommonJS,
 * and the chunks that `outfile` needs at start-up are written into it, as functions run on first
 * require, so that a call reads one file and one code cache before its command's own.
 */
export async function bundleCli(outfile, { minify = true } = {}) {
  const dir = dirname(outfile);
  const name = basename(outfile, '.cjs');
  const buildId = randomUUID();
  const result = await build({
    entryPoints: { [name]: fileURLToPath(new URL('../src/cli/main.ts', import.meta.url)) },
    outdir: dir,
    write: false,
    metafile: true,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    entryNames: '[name]',
    chunkNames: `${name}-[name]-[hash]`,
    outExtension: { '.js': '.cjs' },
    minifyWhitespace: minify,
    minifySyntax: minify,
    legalComments: 'external',
    charset: 'ascii',
    external: ['libxml2-wasm'],
    define: { 'import.meta.url': '__importMeta.url', __VIRTNET_HELP_FILE__: JSON.stringify(helpFile(name)) },
    plugins: [externalImports],
    logLevel: 'warning',
  });
  const key = (path) => `./${basename(path)}`;
  const files = new Map();
  for (const f of result.outputFiles) {
    if (!f.path.endsWith('.cjs')) {
      files.set(key(f.path), { text: f.text, raw: true });
      continue;
    }
    const cjs = await transform(f.text, {
      format: 'cjs',
      target: 'node20',
      platform: 'node',
      minifyWhitespace: minify,
      minifySyntax: minify,
      charset: 'ascii',
    });
    // Every chunk, required or imported, is loaded through __virtnetChunk (never Node's ESM loader).
    // Its exports are the object of getters esbuild fills (__export), not a copy of it behind a second
    // layer of getters (__toCommonJS): only these files read them, by name.
    const text = cjs.code
      .replace(/\bmodule\.exports\s*=\s*__toCommonJS\((\w+)\)/, 'module.exports = $1')
      .replace(/\brequire\((["'])(\.\/[^"']+\.cjs)\1\)/g, (_m, q, id) => `__virtnetChunk(${q}${id}${q})`)
      .replace(/\bimport\((["'])(\.\/[^"']+\.cjs)\1\)/g, (_m, q, id) => `Promise.resolve().then(() => __virtnetChunk(${q}${id}${q}))`);
    files.set(key(f.path), { text });
  }
  // The chunks reachable from the entry by static imports: loaded by every call, so inlined.
  const outputs = Object.fromEntries(Object.entries(result.metafile.outputs).map(([p, o]) => [key(p), o]));
  const entry = `./${name}.cjs`;
  const inlined = new Set();
  const visit = (id) => {
    for (const imp of outputs[id]?.imports ?? [])
      if (imp.kind === 'import-statement' && !imp.external) {
        const dep = key(imp.path);
        if (!inlined.has(dep)) {
          inlined.add(dep);
          visit(dep);
        }
      }
  };
  visit(entry);
  for (const [id, o] of Object.entries(outputs))
    if (STARTUP_COMMANDS.some((f) => o.entryPoint?.endsWith(`src/cli/commands/${f}`)) && !inlined.has(id)) {
      inlined.add(id);
      visit(id);
    }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, helpFile(name)), helpTexts);
  for (const f of readdirSync(dir)) if (f.startsWith(`${name}-`) && /\.cjs(\.cache|\.LEGAL\.txt)?$/.test(f)) rmSync(join(dir, f));
  for (const [id, f] of files) {
    if (inlined.has(id)) continue;
    if (f.raw) {
      writeFileSync(join(dir, id), f.text);
      continue;
    }
    const defines =
      id === entry
        ? [...inlined]
            .map(
              (c) =>
                `__virtnetChunks.set(${JSON.stringify(c)}, { factory: function (exports, require, module, __filename, __dirname) {\n${files.get(c).text}} });\n`,
            )
            .join('')
        : '';
    writeFileSync(join(dir, id), prelude(buildId) + defines + f.text);
  }
  return { metafile: result.metafile, startup: [entry, ...inlined] };
}
