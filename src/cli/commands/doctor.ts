/**
 * `virtnet doctor [--ovn]`: check this host, group by group (src/doctor),
 * without a daemon. Each line is a check's stable code, what it found and,
 * when something is wrong, the fix. Fails (exit status 1) when a check failed.
 */
import type { CommandDef } from '../command.js';
import { optRequired } from '../options.js';

export const doctorCmd: CommandDef = {
  name: 'doctor',
  help: 'check whether this host can run what virtnet needs',
  desc:
    'Run the host checks, each with a stable code, what it found and how to fix it.\n' +
    "    --ovn: whether this host can carry OVN networks (run it in the host's network namespace).",
  opts: [
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
    const { DOCTOR_GROUPS } = await import('../../doctor/groups.js');
    const { formatReport } = await import('../../doctor/checks.js');
    const selected = DOCTOR_GROUPS.filter((g) => cmd.has(g.name));
    const groups = selected.length > 0 ? selected : DOCTOR_GROUPS;
    const options = {
      ...(cmd.has('ovs-db') ? { ovsDb: optRequired(sh, cmd, 'ovs-db') } : {}),
      ...(cmd.has('ovs-rundir') ? { ovsRunDir: optRequired(sh, cmd, 'ovs-rundir') } : {}),
    };
    let failed = false;
    for (const g of groups) {
      const results = await g.run(options);
      sh.print(formatReport(g.title, results));
      if (results.some((r) => r.status === 'fail')) failed = true;
    }
    return !failed;
  },
};
