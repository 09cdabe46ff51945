/**
 * The CLI in Spanish (issue 12, point 6): the language comes from the
 * locale as gettext picks it; every error code, every message the CLI
 * prints and every text its help shows has a Spanish entry with the same
 * placeholders; nothing is printed from outside the catalogue; and under
 * LC_ALL=C or an English locale the output is the same bytes as with no
 * locale at all (the golden tests, which compare with virsh, run under
 * LC_ALL=C with a Spanish LANG).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLASS_CODES, ERROR_CODES, XML_PROBLEMS } from '../../src/contract/error-codes.js';
import { ERRORS_ES, XML_PROBLEMS_ES } from '../../src/contract/error-codes-es.js';
import { PHRASES_ES } from '../../src/contract/phrases-es.js';
import { languageOfEnv } from '../../src/contract/languages.js';
import { GROUPS } from '../../src/cli/commands/index.js';
import { LIFECYCLE_EVENTS } from '../../src/cli/commands/net-event.js';
import { HELP_ES } from '../../src/cli/i18n/help-es.js';
import { MESSAGES_ES } from '../../src/cli/i18n/messages-es.js';
import { loadTranslator } from '../../src/cli/i18n/translate.js';
import { runCli } from '../../src/cli/run-cli.js';
import type { VirtnetClient } from '../../src/client/types.js';
import { driverClient } from '../support/driver-client.js';
import { countingRandomness, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import { GOLDEN_XML_DIR, loadGoldenFlows, stepEnv } from './cli-golden-harness.js';
import { driversFor, loadGuestFlows, runGuestCli, type GuestSetup } from './cli-guest-harness.js';

const repo = resolve(import.meta.dirname, '../..');
const placeholders = (text: string): string[] => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? ''))].sort();

/** Every text `help` and `-h` can show that lives in the command definitions. */
function helpTexts(): string[] {
  const texts = new Set<string>();
  for (const g of GROUPS) {
    texts.add(g.name);
    for (const c of g.commands) {
      texts.add(c.help);
      if (c.desc !== '') texts.add(c.desc);
      for (const o of c.opts) texts.add(o.help);
    }
  }
  for (const e of LIFECYCLE_EVENTS) texts.add(e);
  return [...texts];
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface Out {
  stdout: string;
  stderr: string;
  rc: number;
}

async function run(client: VirtnetClient, args: string[], env: Record<string, string>): Promise<Out> {
  let stdout = '';
  let stderr = '';
  const rc = await runCli(args, {
    io: { out: (t) => (stdout += t), err: (t) => (stderr += t), stdinIsTTY: false },
    connect: async () => client,
    env: { PATH: process.env['PATH'], ...env },
    cwd: GOLDEN_XML_DIR,
  });
  return { stdout, stderr, rc };
}

const SPANISH = { LANG: 'es_ES.UTF-8' };

/** The drivers of the running test, disposed after it. */
const drivers: TestDriver[] = [];
afterEach(async () => {
  for (const t of drivers.splice(0)) await t.dispose();
});

/** A client of a fresh network driver over the fake runtime; every one hands out the same uuids and MACs. */
async function newClient(): Promise<VirtnetClient> {
  const t = await startTestDriver({ random: countingRandomness() });
  drivers.push(t);
  return driverClient(t.driver);
}

/** `virtnet ARGS…` against both drivers in the state of a guest flow's setup. */
async function runGuestStep(setup: GuestSetup, args: string[], env?: Record<string, string>): Promise<Out> {
  const t = await driversFor(setup);
  try {
    return await runGuestCli(driverClient(t.driver), args, env ? { env } : {});
  } finally {
    await t.dispose();
  }
}

describe('the language of messages', () => {
  it('is read from LC_ALL, LC_MESSAGES and LANG as gettext reads them', () => {
    expect(languageOfEnv({})).toBe('en');
    expect(languageOfEnv({ LANG: 'es_ES.UTF-8' })).toBe('es');
    expect(languageOfEnv({ LANG: 'es_MX' })).toBe('es');
    expect(languageOfEnv({ LC_MESSAGES: 'es_AR.UTF-8', LANG: 'en_US.UTF-8' })).toBe('es');
    expect(languageOfEnv({ LC_ALL: 'C', LANG: 'es_ES.UTF-8' })).toBe('en');
    expect(languageOfEnv({ LC_ALL: 'C.UTF-8', LC_MESSAGES: 'es_ES.UTF-8' })).toBe('en');
    expect(languageOfEnv({ LC_ALL: 'en_GB.UTF-8', LANG: 'es_ES.UTF-8' })).toBe('en');
    expect(languageOfEnv({ LC_ALL: '', LANG: 'es_ES.UTF-8' })).toBe('es');
    expect(languageOfEnv({ LANG: 'fr_FR.UTF-8' })).toBe('en');
    // LANGUAGE comes first unless the locale is C.
    expect(languageOfEnv({ LANG: 'en_US.UTF-8', LANGUAGE: 'es:en' })).toBe('es');
    expect(languageOfEnv({ LANG: 'es_ES.UTF-8', LANGUAGE: 'en' })).toBe('en');
    expect(languageOfEnv({ LANG: 'C', LANGUAGE: 'es' })).toBe('en');
  });
});

describe('the Spanish catalogue', () => {
  it('has a text for every error code and every libxml2 problem', () => {
    const missing = [...ERROR_CODES, ...CLASS_CODES].filter((code) => !Object.hasOwn(ERRORS_ES, code));
    expect(missing).toEqual([]);
    expect(Object.keys(XML_PROBLEMS).filter((p) => !Object.hasOwn(XML_PROBLEMS_ES, p))).toEqual([]);
  });

  it('has an entry for every text help shows: group names, summaries, descriptions, options, event names', async () => {
    const es = await loadTranslator('es');
    const missing = helpTexts().filter((t) => !Object.hasOwn(HELP_ES, t) && !Object.hasOwn(MESSAGES_ES, t));
    expect(missing).toEqual([]);
    expect(es.text('Networking')).toBe('Redes');
  });

  it('keeps the placeholders of every English message, and no entry is left that nothing uses', () => {
    const wrong = Object.entries({ ...HELP_ES, ...MESSAGES_ES }).filter(([en, es]) => placeholders(en).join() !== placeholders(es).join());
    expect(wrong).toEqual([]);
    const shown = new Set(helpTexts());
    expect(Object.keys(HELP_ES).filter((t) => !shown.has(t))).toEqual([]);
    // Each message's English text appears in the CLI's source, as the literal its call passes.
    const code = sources(join(repo, 'src/cli'))
      .filter((p) => !p.includes('/i18n/'))
      .map((p) => readFileSync(p, 'utf8'))
      .join('\n');
    const literal = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    expect(Object.keys(MESSAGES_ES).filter((en) => !code.includes(literal(en)))).toEqual([]);
  });

  it("has every phrase made outside the CLI (doctor's findings, ovn-host-setup's steps, the lab's progress), with its placeholders", () => {
    // Each phrase('…') literal in src/ is an English template; the catalogue has each one and nothing else.
    const call = /\bphrase\(\s*(['"])((?:\\.|(?!\1).)*)\1/g;
    const used = new Set<string>();
    for (const path of sources(join(repo, 'src'))) {
      for (const m of readFileSync(path, 'utf8').matchAll(call)) used.add((m[2] ?? '').replace(/\\(['"\\])/g, '$1'));
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((en) => !Object.hasOwn(PHRASES_ES, en))).toEqual([]);
    expect(Object.keys(PHRASES_ES).filter((en) => !used.has(en))).toEqual([]);
    expect(Object.entries(PHRASES_ES).filter(([en, es]) => placeholders(en).join() !== placeholders(es).join())).toEqual([]);
  });

  it('is the only source of what the CLI prints: no call prints a literal sentence', () => {
    // A literal with words given to print/printExtra/error/io.out/io.err or as attempt()'s summary bypasses the catalogue.
    const call = /\b(?:(?:print|printExtra|error|out|err)\(|attempt\(\s*sh,)\s*(?:\w+\s*\?\s*)?(['"`])((?:\\.|(?!\1).)*)\1/g;
    const found: string[] = [];
    for (const path of sources(join(repo, 'src/cli'))) {
      const text = readFileSync(path, 'utf8');
      for (const m of text.matchAll(call)) {
        const words = (m[2] ?? '').replace(/\$\{[^}]*\}/g, '').replace(/^error: /, '');
        if (/[A-Za-z]{2}/.test(words.replace(/\\[nrt]/g, ' '))) found.push(`${path.slice(repo.length + 1)}: ${m[0]}`);
      }
    }
    expect(found).toEqual([]);
  });
});

describe('virtnet under a Spanish locale', () => {
  it('says what it did, lists, describes and fails in Spanish', async () => {
    const client = await newClient();
    const define = await run(client, ['net-define', 'isolated.xml'], SPANISH);
    expect(define).toEqual({ stdout: 'Red isolated definida a partir de isolated.xml\n\n', stderr: '', rc: 0 });
    expect((await run(client, ['net-start', 'isolated'], SPANISH)).stdout).toBe('Red isolated iniciada\n\n');
    expect((await run(client, ['net-autostart', 'isolated'], { LC_MESSAGES: 'es_MX.UTF-8' })).stdout).toBe(
      'Red isolated marcada para arrancar automáticamente\n\n',
    );
    const list = await run(client, ['net-list', '--all'], SPANISH);
    expect(list.stdout).toBe(
      [
        ' Nombre     Estado   Autoarranque   Persistente',
        '-------------------------------------------------',
        ' isolated   activa   sí             sí',
        '',
        '',
      ].join('\n'),
    );
    const info = await run(client, ['net-info', 'isolated'], SPANISH);
    expect(info.stdout).toMatch(/^Nombre: {9}isolated\nUUID: {11}\S+\nActiva: {9}sí\nPersistente: {4}sí\nAutoarranque: {3}sí\nPuente: {9}virbr\d+\n/);
    const missing = await run(client, ['net-start', 'nope'], SPANISH);
    expect(missing).toEqual({ stdout: '\n', stderr: "error: no se pudo obtener la red 'nope'\nerror: no hay ninguna red llamada 'nope'\n", rc: 1 });
    const noFile = await run(client, ['net-define', 'nothere.xml'], SPANISH);
    expect(noFile.stderr).toBe("error: no se puede abrir el archivo 'nothere.xml': no existe el archivo o el directorio\n");
    const parse = await run(client, ['net-list', '--bogus'], SPANISH);
    expect(parse).toEqual({ stdout: '', stderr: "error: la orden 'net-list' no admite la opción --bogus\n", rc: 1 });
    expect((await run(client, ['net-lis'], SPANISH)).stderr).toBe("error: orden desconocida: 'net-lis'\n");
    expect((await run(client, ['net-start'], SPANISH)).stderr).toBe("error: la orden 'net-start' necesita la opción <network>\n");
  });

  it("says an OVSDB server it cannot reach in Spanish, with the OS's reason (ovn-host-setup)", async () => {
    const args = ['ovn-host-setup', '--encap-ip', '192.0.2.1', '--remote', 'tcp:192.0.2.2:6642', '--ovs-db', 'unix:/nonexistent-virtnet-dir/db.sock'];
    const client = await newClient();
    const es = await run(client, args, SPANISH);
    expect([es.stderr, es.rc]).toEqual([
      'error: no se puede conectar con el servidor OVSDB en unix:/nonexistent-virtnet-dir/db.sock: no existe el archivo o el directorio\n',
      1,
    ]);
    const en = await run(client, args, { LC_ALL: 'C', ...SPANISH });
    expect(en.stderr).toBe(
      'error: operation failed: cannot connect to the OVSDB server at unix:/nonexistent-virtnet-dir/db.sock: No such file or directory\n',
    );
  });

  it('shows help in Spanish, with the same layout', async () => {
    const client = await newClient();
    const help = await run(client, ['help', 'net-start'], SPANISH);
    expect(help.stdout).toBe(
      [
        '  NOMBRE',
        '    net-start - inicia una red inactiva (definida antes)',
        '',
        '  SINOPSIS',
        '    net-start <network>',
        '',
        '  DESCRIPCIÓN',
        '    Inicia una red.',
        '',
        '  OPCIONES',
        '    [--network] <texto>  nombre o uuid de la red',
        '',
        '',
        '',
      ].join('\n'),
    );
    const groups = await run(client, ['help'], SPANISH);
    expect(groups.stdout).toContain(
      " Redes (palabra clave de ayuda 'network'):\n    net-autostart                  arranca una red automáticamente\n",
    );
    const usage = await run(client, ['-h'], SPANISH);
    expect(usage.stdout).toContain('    -r | --readonly         conexión de solo lectura\n');
    // Every line of the usage and of every command's help is Spanish except the command names and option spellings.
    for (const g of GROUPS) {
      for (const c of g.commands.filter((cmd) => !cmd.hidden)) {
        const en = await run(client, ['help', c.name], {});
        const es = await run(client, ['help', c.name], SPANISH);
        expect([c.name, es.stdout === en.stdout]).toEqual([c.name, false]);
        expect([c.name, es.stdout.split('\n').length]).toEqual([c.name, en.stdout.split('\n').length]);
      }
    }
  });

  it('prints the same bytes as virsh under LC_ALL=C or an English locale, whatever LANG says', async () => {
    const script: string[][] = [
      ['net-define', 'isolated.xml'],
      ['net-start', 'isolated'],
      ['net-list', '--all'],
      ['net-info', 'isolated'],
      ['net-start', 'nope'],
      ['net-define', 'nothere.xml'],
      ['net-list', '--bogus'],
      ['help', 'net-update'],
      ['help'],
      ['-h'],
      ['net-destroy', 'isolated'],
      ['net-undefine', 'isolated'],
    ];
    const transcript = async (env: Record<string, string>): Promise<Out[]> => {
      const client = await newClient();
      const outs: Out[] = [];
      for (const args of script) outs.push(await run(client, args, env));
      return outs;
    };
    const plain = await transcript({});
    expect(await transcript({ LC_ALL: 'C', LANG: 'es_ES.UTF-8' })).toEqual(plain);
    expect(await transcript({ LANG: 'en_US.UTF-8' })).toEqual(plain);
    expect(await transcript({ LC_ALL: 'POSIX', LC_MESSAGES: 'es_ES.UTF-8' })).toEqual(plain);
    expect(await transcript(SPANISH)).not.toEqual(plain);
  });

  it('runs every golden flow with the same exit codes, and says every error line in Spanish', async () => {
    let translated = 0;
    const untranslated: string[] = [];
    for (const flow of loadGoldenFlows('virtnet')) {
      const en = await newClient();
      const es = await newClient();
      for (const step of flow.steps) {
        const a = await run(en, step.args, stepEnv(step));
        const b = await run(es, step.args, { ...stepEnv(step), ...SPANISH });
        expect([flow.flow, step.args, b.rc]).toEqual([flow.flow, step.args, a.rc]);
        // Every error line, the command's own summary and the daemon's reason, is translated.
        const esLines = b.stderr.split('\n');
        a.stderr.split('\n').forEach((line, i) => {
          if (!line.startsWith('error: ')) return;
          if (line === esLines[i]) untranslated.push(`${step.args.join(' ')}: ${line}`);
          else translated++;
        });
      }
    }
    expect(untranslated).toEqual([]);
    expect(translated).toBeGreaterThan(20);
  }, 60_000);

  it('runs every guest golden step with the same exit code, and says every error line in Spanish', async () => {
    let translated = 0;
    const untranslated: string[] = [];
    for (const flow of loadGuestFlows()) {
      for (const step of flow.steps) {
        const a = await runGuestStep(flow.setup, step.args);
        const b = await runGuestStep(flow.setup, step.args, { LC_ALL: '', LANG: 'es_ES.UTF-8' });
        expect([flow.flow, step.args, b.rc]).toEqual([flow.flow, step.args, a.rc]);
        const esLines = b.stderr.split('\n');
        a.stderr.split('\n').forEach((line, i) => {
          if (!line.startsWith('error: ')) return;
          if (line === esLines[i]) untranslated.push(`${step.args.join(' ')}: ${line}`);
          else translated++;
        });
      }
    }
    expect(untranslated).toEqual([]);
    expect(translated).toBeGreaterThan(10);
  }, 240_000);
});
