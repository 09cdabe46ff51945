/**
 * The checks libvirt makes once a domain is parsed (virDomainDefPostParse
 * and virDomainDefValidate, the part that concerns the guest subset), in
 * libvirt 9.0's order:
 *
 *   name without '/' → per interface: no unmanaged target → unique aliases
 *   → name without a newline (or a carriage return: ../common/object-name.ts)
 */
import type { GuestDef, PreservedElement } from './types.js';
import { configUnsupported, xmlError } from '../common/parse-helpers.js';
import { checkObjectNameChars } from '../common/object-name.js';
import { isUserAlias } from './parse-interface.js';

/**
 * The aliases of every device, in document order: the typed interfaces'
 * and the user-defined (`ua-`) aliases of the kept device elements (their
 * first <alias name>). Kept aliases libvirt generated are not checked: a
 * persistent definition has none (libvirt drops them when reading it), and
 * live XML legitimately repeats some (a <console> mirroring <serial> shares
 * its alias, which libvirt's own check skips).
 */
export function deviceAliases(def: GuestDef): string[] {
  const out: string[] = [];
  const keptAlias = (el: PreservedElement): string | undefined => {
    const alias = el.children.find((c): c is PreservedElement => c.kind === 'element' && c.name === 'alias' && c.namespaceUri === '');
    const name = alias?.attrs.find((a) => a.name === 'name')?.value;
    return name !== undefined && isUserAlias(name) ? name : undefined;
  };
  let interfacesSeen = false;
  const addInterfaces = (): void => {
    if (interfacesSeen) return;
    interfacesSeen = true;
    for (const i of def.interfaces) if (i.alias !== undefined) out.push(i.alias);
  };
  for (const top of def.document.children) {
    if (top.kind !== 'element' || top.name !== 'devices' || top.namespaceUri !== '') continue;
    for (const dev of top.children) {
      if (dev.kind === 'interfaces') addInterfaces();
      else if (dev.kind === 'element') {
        const a = keptAlias(dev);
        if (a !== undefined) out.push(a);
      }
    }
  }
  addInterfaces();
  return out;
}

/** virDomainDefValidateAliases: the first alias used twice. */
export function checkAliasesUnique(aliases: readonly string[]): void {
  const seen = new Set<string>();
  for (const a of aliases) {
    if (seen.has(a)) throw configUnsupported(`non unique alias detected: ${a}`);
    seen.add(a);
  }
}

/** The post-parse checks, with libvirt's texts and classes. */
export function validateGuestDef(def: GuestDef): void {
  if (def.name.includes('/')) throw xmlError(`name ${def.name} cannot contain '/'`);
  for (const iface of def.interfaces) {
    if (iface.targetManaged === false) {
      throw configUnsupported(`unmanaged target dev is not supported on interfaces of type '${iface.type}'`);
    }
  }
  checkAliasesUnique(deviceAliases(def));
  checkObjectNameChars(def.name);
}
