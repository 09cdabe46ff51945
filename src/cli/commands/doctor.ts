/**
 * `virtnet doctor [NETWORK] [--fix | --undo]`: why guests have no network.
 * virtnetd runs the host checks in its namespace (src/doctor/host-checks.ts)
 * for every running network or NETWORK; each line is a check's stable code,
 * what it found and, when something is wrong, the fix. `--fix` applies the
 * reversible fixes (recorded), `--undo` takes them back. `--ovn` runs the OVN
 * checks here, without a daemon (src/ovn/doctor.ts). Exit status 1 when a
 * check failed.
 */
import type { DoctorReport } from '../../contract/doctor-api.js';
import type { Said } from '../../doctor/checks.js';
import type { CommandDef } from '../command.js';
import { optRequired } from '../options.js';

export const doctorCmd: CommandDef = {
  name: 'doctor',
  help: 'check why guests have no network, and fix it',
  desc:
    "Run the host checks in virtnetd's namespace, for every running network or NETWORK, each with a stable code,\n" +
    '    what it found and how to fix it; exit status 1 when a check failed.\n' +
    '    --fix: apply the reversible fixes (accept rules for the bridges in a foreign firewall, ip_forward), each recorded.\n' +
    '    --undo: take back every recorded fix.\n' +
    "    --ovn: whether this host can carry OVN networks (run here, without a daemon, in the host's network namespace).",
  opts: [
    {
      name: 'network',
      kind: 'data',
      help: 'a running network (default: every running network)',
      complete: 'network',
      completeFilter: { active: true },
    },
    { name: 'fix', kind: 'bool', help: 'apply the reversible fixes, recorded for --undo' },
    { name: 'undo', kind: 'bool', help: 'take back the fixes --fix applied' },
    { name: 'ovn', kind: 'bool', help: 'the OVN checks' },
    { name: 'ovs-db', kind: 'string', named: true, help: "this host's Open vSwitch database (default unix:/run/openvswitch/db.sock)" },
    {
      name: 'ovs-rundir',
      kind: 'string',
      named: true,
      help: 'where ovs-vswitchd and ovn-controller keep their control sockets (default /run/openvswitch)',
      complete: 'file',
    },
  ],
  noConnect: true,
  async run(sh, cmd) {
    const { doctorReportText } = await import('../doctor-report-text.js');
    if (cmd.has('fix') && cmd.has('undo')) {
      sh.error(sh.t('Only one argument from --fix and --undo may be specified.'));
      return false;
    }
    if (cmd.has('ovn')) {
      const { DOCTOR_GROUPS } = await import('../../doctor/groups.js');
      const options = {
        ...(cmd.has('ovs-db') ? { ovsDb: optRequired(sh, cmd, 'ovs-db') } : {}),
        ...(cmd.has('ovs-rundir') ? { ovsRunDir: optRequired(sh, cmd, 'ovs-rundir') } : {}),
      };
      let failed = false;
      for (const g of DOCTOR_GROUPS.filter((g) => cmd.has(g.name))) {
        const results = await g.run(options);
        sh.print(doctorReportText(sh.tr, sh.tr.say(g.title), results));
        if (results.some((r) => r.status === 'fail')) failed = true;
      }
      return !failed;
    }
    if (!sh.connected && !(await sh.open())) return false;
    const client = sh.client();
    const said = (s: Said): string => (typeof s === 'string' ? s : sh.tr.say(s));
    const network = cmd.has('network') ? optRequired(sh, cmd, 'network') : undefined;
    if (cmd.has('undo')) {
      const r = await client.doctorUndo();
      const undone = (r.undonePhrases ?? r.undone).map(said);
      sh.print(undone.length === 0 ? sh.t('No fixes to undo\n') : undone.map((c) => sh.t('undone: {fix}\n', { fix: c })).join(''));
      return true;
    }
    let report: DoctorReport;
    if (cmd.has('fix')) {
      const result = await client.doctorFix(network);
      const applied = (result.appliedPhrases ?? result.applied).map(said);
      sh.print(applied.length === 0 ? sh.t('Nothing to fix\n') : applied.map((c) => sh.t('fixed: {fix}\n', { fix: c })).join(''));
      report = result.report;
    } else {
      report = await client.doctorReport(network);
    }
    sh.print(
      doctorReportText(
        sh.tr,
        network === undefined ? sh.t('Host checks') : sh.t("Host checks for network '{network}'", { network }),
        report.findings,
      ),
    );
    if (report.fixesRecorded.length > 0) {
      sh.print(
        sh.t('  {count} fix(es) applied by doctor --fix; virtnet doctor --undo takes them back\n', { count: String(report.fixesRecorded.length) }),
      );
    }
    return !report.failed;
  },
};
