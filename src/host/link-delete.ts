/**
 * Deleting links as cheaply as the kernel allows.
 *
 * What the kernel does (sampled from /proc/PID/stack of `ip link del` on
 * this project's 6.18 kernel): deleting a bridge waits for an RCU barrier in
 * the bridge's uninit (br_multicast_dev_del), with RTNL held, and
 * `ip link del dev X` waits for a second one after RTNL is released
 * (netdev_run_todo). Each barrier is about one grace period, ~18 ms on a
 * 2-vCPU VM, so one bridge costs ~35 ms however the request is made, and
 * bridges deleted by separate requests (separate processes or separate
 * lines of one `ip -batch`) queue behind RTNL one after the other. The only
 * saving is to delete several links in one request: `ip link del group G`
 * unregisters every link of group G in one call, with one barrier per
 * bridge plus one for the call (200 bridges: 3.9 s instead of 7 s).
 *
 * So:
 * - `splitLinkDeletions` takes an undo script and drops the lines that a
 *   later `link del dev X` makes pointless (taking X down, deleting its
 *   addresses and the routes through it: they vanish with X, and each
 *   would cost a netlink round and notifications of its own);
 * - `deleteLinksTogether` deletes a list of links in one `ip -batch`: each
 *   link moved into group G and then `link del group G`. G is a random
 *   group number the caller picks from a range nobody uses (links are in
 *   group 0 unless someone sets one); every link in that group is deleted,
 *   so G must be fresh. A single link goes through a group too: it costs
 *   the same as `link del dev X` (36.5–38.3 ms a bridge either way, 30 in a
 *   row), and the kernel then reports the link down in group G as soon as
 *   it is closed, ~2 ms into the request, instead of only its deletion
 *   after the first barrier (link-monitor.ts).
 */
import { type BatchRunner, type RevertFailure, type RevertResult, isAlreadyGone } from './link-transaction.js';
import type { UndoLine } from './link-ops.js';
import type { NetnsBinding } from './netns.js';

/** The device an undo line works on, when it only touches that device. */
function targetDevice(args: readonly string[]): string | undefined {
  const [object, verb] = args;
  if (object === 'link' && verb === 'set' && args[2] === 'dev') return args[3];
  if ((object === 'addr' || object === 'route') && verb === 'del') {
    const at = args.indexOf('dev');
    return at > 0 ? args[at + 1] : undefined;
  }
  return undefined;
}

const isDelete = (args: readonly string[]): boolean => args.length === 4 && args[0] === 'link' && args[1] === 'del' && args[2] === 'dev';

interface LinkDeletionSplit {
  /** Links the script deletes, in its order; empty when the script was left as it is. */
  deletes: string[];
  /** Lines that still have to run, before the deletions. */
  rest: UndoLine[];
}

/**
 * The links an undo script deletes (`link del dev X`, all in `netns`, all at
 * its end) and its other lines, minus those that only touch a deleted link
 * in the same namespace. A script of any other shape is returned untouched
 * in `rest`, with no deletions split off.
 */
export function splitLinkDeletions(undo: readonly UndoLine[], netns: NetnsBinding): LinkDeletionSplit {
  const first = undo.findIndex((l) => isDelete(l.args));
  const untouched = { deletes: [], rest: [...undo] };
  if (first < 0) return untouched;
  const tail = undo.slice(first);
  if (!tail.every((l) => isDelete(l.args) && l.netns === netns)) return untouched;
  const deletes = tail.map((l) => l.args[3] as string);
  const gone = new Set(deletes);
  const rest = undo.slice(0, first).filter((l) => {
    const dev = targetDevice(l.args);
    return !(l.netns === netns && dev !== undefined && gone.has(dev));
  });
  return { deletes, rest };
}

const deleteLine = (netns: NetnsBinding, name: string): UndoLine => ({ netns, args: ['link', 'del', 'dev', name] });

/** `link del dev X` for each, in one forced batch; links already gone count as deleted. */
async function deleteEach(runner: BatchRunner, names: readonly string[], netns: NetnsBinding): Promise<RevertResult> {
  if (names.length === 0) return { failures: [] };
  const outcome = await runner.runBatch(
    netns,
    names.map((n) => deleteLine(netns, n).args),
    { force: true },
  );
  if (outcome.failures.length === 0 && outcome.known) return { failures: [] };
  if (!outcome.known) {
    if (isAlreadyGone(outcome.stderr)) return { failures: [] };
    return { failures: names.map((n) => ({ line: deleteLine(netns, n), reason: outcome.stderr.trim() })) };
  }
  const failures: RevertFailure[] = [];
  for (const f of outcome.failures) {
    const name = names[f.line - 1];
    if (name !== undefined && !isAlreadyGone(f.reason)) failures.push({ line: deleteLine(netns, name), reason: f.reason });
  }
  return { failures };
}

/**
 * Delete links of `netns` in one batch (see the module comment); links
 * already gone count as deleted. `group` must be a group number no other
 * link of the namespace is in.
 */
export async function deleteLinksTogether(runner: BatchRunner, names: readonly string[], netns: NetnsBinding, group: number): Promise<RevertResult> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return { failures: [] };
  const g = String(group);
  const lines = [...unique.map((n) => ['link', 'set', 'dev', n, 'group', g]), ['link', 'del', 'group', g]];
  const outcome = await runner.runBatch(netns, lines, { force: true });
  if (outcome.failures.length === 0 && outcome.known) return { failures: [] };
  if (!outcome.known) return deleteEach(runner, unique, netns);
  // A link that could not be put into the group, or a group deletion that
  // failed: what is left is deleted one by one, which reports precisely.
  const again = new Set<string>();
  for (const f of outcome.failures) {
    if (isAlreadyGone(f.reason)) continue;
    if (f.line === lines.length) for (const n of unique) again.add(n);
    else again.add(unique[f.line - 1] as string);
  }
  return deleteEach(runner, [...again], netns);
}
