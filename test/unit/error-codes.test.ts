/**
 * The daemon's error codes (src/contract/error-codes.ts): every catalogued
 * template gives back its own code and parameters, real errors of the
 * drivers and the parser get theirs, an uncatalogued one gets its class's,
 * the API's error bodies carry them, and the Spanish catalogue fills the
 * same parameters.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, ERROR_CODES, englishTemplate, errorCodeOf, errorText, fillTemplate, xmlProblemOf } from '../../src/contract/error-codes.js';
import { ERRORS_ES, XML_PROBLEMS_ES } from '../../src/contract/error-codes-es.js';
import { VirError } from '../../src/util/errors.js';
import { OvsdbClient } from '../../src/ovsdb/client.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { createApiServer } from '../../src/api/server.js';
import { startTestDriver } from '../support/network-testkit.js';
import { thrownBy } from './support/vir-error.js';

const placeholders = (template: string): string[] => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');

describe('the catalogue', () => {
  it('derives each code back from the text its template gives', () => {
    for (const code of ERROR_CODES) {
      const entry = ERROR_CATALOGUE[code];
      const params = Object.fromEntries(placeholders(entry.en).map((p, i) => [p, `v${i}x`]));
      const derived = errorCodeOf(new VirError(entry.class, fillTemplate(entry.en, params)));
      expect([code, derived.code]).toEqual([code, code]);
      for (const [k, v] of Object.entries(params)) expect([code, k, derived.params[k]]).toEqual([code, k, v]);
    }
  });

  it('gives an uncatalogued error the code of its class, with its detail', () => {
    expect(errorCodeOf(new VirError('INTERNAL_ERROR', 'something new'))).toEqual({
      code: 'class.INTERNAL_ERROR',
      params: { detail: 'something new' },
    });
    expect(englishTemplate('class.NO_NETWORK')).toBe('Network not found: {detail}');
  });

  it('reads what the parser says about a document that is not well formed: line, column, problem', () => {
    const err = thrownBy(() => parseNetworkXml("<network>\n  <name>x</name>\n  <ip address='1.2.3.4'>\n</network>"));
    const d = errorCodeOf(err);
    expect(d.code).toBe('xml.malformed');
    expect([d.params['line'], d.params['problem']]).toEqual(['4', 'Opening and ending tag mismatch: ip line 3 and network']);
    expect(Number(d.params['column'])).toBeGreaterThan(0);
    expect(xmlProblemOf(d.params['problem'] ?? '')).toEqual({ code: 'tagMismatch', params: { open: 'ip', openLine: '3', close: 'network' } });
    expect(errorText(d, { errors: ERRORS_ES, problems: XML_PROBLEMS_ES })).toBe(
      `el XML no está bien formado: línea 4, columna ${d.params['column']}: <ip> (línea 3) se cierra con </network>`,
    );
  });

  it("reads an OVSDB server that cannot be reached: where, and the OS's reason", async () => {
    const remote = 'unix:/nonexistent-virtnet-dir/db.sock';
    const err = await OvsdbClient.connect(remote).then(
      () => undefined,
      (e: unknown) => e as VirError,
    );
    const d = errorCodeOf(err as VirError);
    expect(d).toEqual({ code: 'ovsdb.connectFailed', params: { where: remote, why: 'No such file or directory' } });
    expect(errorText(d, { errors: ERRORS_ES })).toBe(`no se puede conectar con el servidor OVSDB en ${remote}: No such file or directory`);
    const late = errorCodeOf(new VirError('OPERATION_FAILED', `cannot connect to the OVSDB server at ${remote}: no answer in 5000 ms`));
    expect(late).toEqual({ code: 'ovsdb.noAnswer', params: { where: remote, ms: '5000' } });
  });

  it('has a Spanish text for every code, using only parameters the code has', () => {
    for (const code of ERROR_CODES) {
      const known = new Set([...placeholders(ERROR_CATALOGUE[code].en), ...(code === 'xml.malformed' ? ['column'] : [])]);
      expect([code, placeholders(ERRORS_ES[code]).filter((p) => !known.has(p))]).toEqual([code, []]);
    }
    const d = errorCodeOf(new VirError('NO_NETWORK', "no network with matching name 'x'"));
    expect(errorText(d, { errors: ERRORS_ES })).toBe("no hay ninguna red llamada 'x'");
    // English is libvirt's own detail.
    expect(errorText(d, { errors: {} })).toBe("no network with matching name 'x'");
  });
});

describe('the API', () => {
  it('sends the code and its parameters in every error body', async () => {
    const t = await startTestDriver();
    const app = await createApiServer({ driver: t.driver, access: { kind: 'unix' }, version: '1' });
    try {
      const res = await app.inject({ method: 'POST', url: '/api/networks/nope/start' });
      expect([res.statusCode, res.json()]).toEqual([
        404,
        {
          class: 'NO_NETWORK',
          detail: "no network with matching name 'nope'",
          message: "Network not found: no network with matching name 'nope'",
          code: 'network.notFoundByName',
          params: { name: 'nope' },
        },
      ]);
    } finally {
      await app.close();
      await t.dispose();
    }
  });
});
