/**
 * Values the parser refuses because dnsmasq, ip or nftables could not be
 * given them as themselves (docs/network-runtime.md, "Values in dnsmasq's
 * files"). An earlier virtnet took them, so a config it saved may hold one:
 * while `collectRefusedValues` runs a parse, such a check records the
 * refusal and keeps the value, so the network loads (and can be fixed or
 * removed); everywhere else the check throws its error. Parsing is
 * synchronous, so the collector is the one of the parse in progress.
 */
import { VirError } from '../../util/errors.js';

export interface RefusedValue {
  /** The element (or attribute) holding the value, as a path in the document: "dns/txt", "forward/interface@dev". */
  element: string;
  /** What a define of the document answers. */
  error: VirError;
}

let collecting: RefusedValue[] | undefined;

/** A value a definition may not hold: thrown, or recorded while a saved config loads. */
export function refuseValue(element: string, error: VirError): void {
  if (collecting === undefined) throw error;
  collecting.push({ element, error });
}

/** Run `parse` keeping refused values (with what was refused) instead of throwing on them; other errors still throw. */
export function collectRefusedValues<T>(parse: () => T): { result: T; refused: RefusedValue[] } {
  const outer = collecting;
  const refused: RefusedValue[] = [];
  collecting = refused;
  try {
    return { result: parse(), refused };
  } finally {
    collecting = outer;
  }
}

/** What a start of a network whose saved config holds refused values answers: each value, and how to fix it. */
export function refusedValuesError(network: string, refused: readonly RefusedValue[]): VirError {
  const what = refused.map((r) => `<${r.element}>: ${r.error.message}`).join('; ');
  return new VirError(
    'CONFIG_UNSUPPORTED',
    `network '${network}' was saved with values virtnet no longer takes (${what}); fix them with net-edit or remove the network with net-undefine`,
  );
}
