/**
 * A real ovsdb-server for tests, in a private temporary directory: its
 * database made from a schema (a file of the system's, or one written by
 * the test), listening on a unix socket there, stopped by PID.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDbArgv, ovsDirs, ovsdbServerSpec } from '../../src/ovn/daemons.js';
import { LinuxProcesses } from '../../src/host/processes.js';
import { ExecRunner } from '../../src/host/runner.js';

export interface TestOvsdbServer {
  dir: string;
  /** unix:PATH */
  remote: string;
  pid: number;
  stop(): Promise<void>;
}

/** Start ovsdb-server over a fresh database of `schema` (a path, or a schema object written to a file). */
export async function startOvsdbServer(schema: string | object): Promise<TestOvsdbServer> {
  const dir = mkdtempSync(join(tmpdir(), 'vnt-ovsdb-test-'));
  const dirs = ovsDirs(dir);
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  let schemaFile: string;
  if (typeof schema === 'string') schemaFile = schema;
  else {
    schemaFile = join(dir, 'test.ovsschema');
    writeFileSync(schemaFile, JSON.stringify(schema));
  }
  const runner = new ExecRunner();
  const dbFile = join(dirs.db, 'test.db');
  const created = await runner.run({ argv: createDbArgv(dbFile, schemaFile) });
  if (created.exitCode !== 0) throw new Error(`ovsdb-tool create failed: ${created.stderr}`);
  const socket = join(dirs.run, 'db.sock');
  const spec = ovsdbServerSpec({ dirs, name: 'ovsdb-server', dbFile, remotes: [`punix:${socket}`] });
  const processes = new LinuxProcesses(runner, null);
  const pid = await processes.startDaemon(spec);
  return {
    dir,
    remote: `unix:${socket}`,
    pid,
    async stop() {
      await processes.stop(pid, 'ovsdb-server');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
