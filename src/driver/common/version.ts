/**
 * Objects' versions, for changes made on a known state (the REST API's
 * ETag and If-Match): an opaque string that changes whenever anything about
 * the object changes — its live or persistent definition (as its inactive
 * XML says it, so a guest plugging into a network does not count), whether
 * it runs, is persistent or autostarts. Equal states have equal versions,
 * also across a daemon restart (the definitions are read back from their
 * XML, which formats the same).
 *
 * A change that names the version it was based on (`ifMatch`) is refused
 * when the object has another one by then: OPERATION_FAILED, HTTP 412,
 * checked under the object's lock so that of two changes based on the same
 * version only the first goes through.
 */
import { createHash } from 'node:crypto';
import { operationFailed, type VirError } from '../../util/errors.js';
import type { DefObject, NamedDef } from './object-list.js';

const digest = (text: string): string => createHash('sha256').update(text).digest('base64url');

export class Versions<D extends NamedDef> {
  /**
   * `format`: the definition as its inactive XML. With `cache`, each
   * definition object is formatted once: for drivers that replace a
   * definition rather than change it in place (the network driver; only
   * connection counts change in place, and the inactive XML leaves them out).
   */
  private readonly digests: WeakMap<D, string> | undefined;

  constructor(
    private readonly format: (def: D) => string,
    cache: boolean,
  ) {
    this.digests = cache ? new WeakMap() : undefined;
  }

  private defDigest(def: D): string {
    const known = this.digests?.get(def);
    if (known !== undefined) return known;
    const d = digest(this.format(def));
    this.digests?.set(def, d);
    return d;
  }

  /** The object's version; `extra` is state beyond the definitions and flags (a network's autostart). */
  of(obj: DefObject<D>, extra = ''): string {
    const parts = [
      this.defDigest(obj.def),
      obj.newDef === undefined ? '' : this.defDigest(obj.newDef),
      String(obj.active),
      String(obj.persistent),
      extra,
    ];
    return digest(parts.join('\n')).slice(0, 22);
  }
}

/** The refusal of a change based on another version; "network 'N' has changed since it was read: …". */
function versionMismatch(noun: 'network' | 'domain', name: string, expected: string, actual: string): VirError {
  const err = operationFailed(`${noun} '${name}' has changed since it was read: version '${expected}' expected, '${actual}' found`);
  err.status = 412;
  return err;
}

/** Throw versionMismatch unless `ifMatch` is absent or the current version. */
export function checkVersion(noun: 'network' | 'domain', name: string, ifMatch: string | undefined, current: () => string): void {
  if (ifMatch === undefined) return;
  const actual = current();
  if (ifMatch !== actual) throw versionMismatch(noun, name, ifMatch, actual);
}
