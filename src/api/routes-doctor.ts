/**
 * virtnetd's doctor routes (`virtnet doctor`; the table is
 * src/client/http-doctor.ts): the report is a read, fixing and undoing
 * change the host's firewall and sysctls, so the read-only socket refuses them.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { DoctorApi, DoctorFixResult, DoctorReport, DoctorUndoResult } from '../contract/doctor-api.js';
import { DOCTOR_ROUTES } from '../client/http-doctor.js';
import { READ, ok, route, write } from './route-spec.js';

const Value = Type.Union([Type.String(), Type.Number()]);
const PlainPhraseSchema = Type.Object({ en: Type.String(), params: Type.Optional(Type.Record(Type.String(), Value)) });
const PhraseSchema = Type.Object(
  { en: Type.String(), params: Type.Optional(Type.Record(Type.String(), Type.Union([Value, PlainPhraseSchema]))) },
  { description: "An English template and its values (src/contract/phrase.ts): the id of the text's translations." },
);
const FindingSchema = Type.Object({
  code: Type.String({ description: 'Stable, for scripts: foreign-forward-drop, br-netfilter, ip-forward-off…' }),
  title: Type.String(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('warn'), Type.Literal('fail'), Type.Literal('skip')]),
  evidence: Type.String({ description: 'What was found.' }),
  fix: Type.Optional(Type.String({ description: 'What to do, when the status is not ok.' })),
  phrases: Type.Optional(
    Type.Object(
      { title: Type.Optional(PhraseSchema), evidence: Type.Optional(PhraseSchema), fix: Type.Optional(PhraseSchema) },
      { description: 'title, evidence and fix as phrases, for other languages; absent where a text is not ours (an error message).' },
    ),
  ),
});

const ReportSchema = Type.Object({
  findings: Type.Array(FindingSchema),
  failed: Type.Boolean(),
  fixesRecorded: Type.Array(Type.String()),
});
const SaidSchema = Type.Array(Type.Union([Type.String(), PhraseSchema]), {
  description: 'The same, for other languages: a phrase where a command has words.',
});
const FixResultSchema = Type.Object({ applied: Type.Array(Type.String()), appliedPhrases: Type.Optional(SaidSchema), report: ReportSchema });
const UndoResultSchema = Type.Object({ undone: Type.Array(Type.String()), undonePhrases: Type.Optional(SaidSchema) });
const NetworkQuerySchema = Type.Object({ network: Type.Optional(Type.String({ minLength: 1 })) });
const EmptyBodySchema = Type.Object({});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const checks: [
  Same<Static<typeof ReportSchema>, DoctorReport>,
  Same<Static<typeof FixResultSchema>, DoctorFixResult>,
  Same<Static<typeof UndoResultSchema>, DoctorUndoResult>,
] = [true, true, true];
void checks;

export function registerDoctorRoutes(app: FastifyInstance, options: { driver: DoctorApi }): void {
  const { driver } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['doctor'];

  api.get(
    DOCTOR_ROUTES.report,
    route(READ, {
      operationId: 'doctorReport',
      tags,
      summary: "Why guests have no network: the host checks in the daemon's namespace, for every running network or one (virtnet doctor).",
      querystring: NetworkQuerySchema,
      response: ok(ReportSchema),
    }),
    async (request) => driver.doctorReport(request.query.network),
  );

  api.post(
    DOCTOR_ROUTES.fix,
    route(write('virtnet doctor --fix'), {
      operationId: 'doctorFix',
      tags,
      summary: 'Apply the reversible fixes the findings call for, each recorded for doctorUndo (virtnet doctor --fix).',
      querystring: NetworkQuerySchema,
      body: EmptyBodySchema,
      response: ok(FixResultSchema),
    }),
    async (request) => driver.doctorFix(request.query.network),
  );

  api.post(
    DOCTOR_ROUTES.undo,
    route(write('virtnet doctor --undo'), {
      operationId: 'doctorUndo',
      tags,
      summary: 'Take back every fix doctorFix recorded, newest first (virtnet doctor --undo).',
      body: EmptyBodySchema,
      response: ok(UndoResultSchema),
    }),
    async () => driver.doctorUndo(),
  );
}
