/**
 * Stable codes for the daemon's errors, so a client can show them in its
 * user's language: the API's error body carries `code` and `params` beside
 * libvirt's class and text ({class, detail, message, code, params}).
 *
 * The catalogue is keyed by code; each entry has libvirt's error class and
 * the English template of the detail, with `{param}` placeholders, whose
 * filling is exactly the text the daemon produces (libvirt's own wording).
 * `errorCodeOf` derives the code and parameters from a VirError by
 * matching its detail against the templates of its class; it is the one
 * place that does so (the daemon's error bodies, the console, and a
 * translated CLI all call it). A detail no template matches gets the code
 * of its class (`class.NO_NETWORK`…) with the whole detail as `{detail}`,
 * so a translation can at least say what kind of error it is.
 *
 * Translations live beside this module (error-codes-es.ts), typed against
 * ERROR_CODES, so a code without a translation fails the type-check.
 * Dependency-free apart from the error classes, so the console's bundle
 * imports it as it is.
 */
import { ERROR_PREFIXES, type ErrorClass } from '../util/errors.js';
import { fillTemplate } from './fill-template.js';

export { fillTemplate };

interface Entry {
  class: ErrorClass;
  /** libvirt's English detail text, with {param} placeholders. */
  en: string;
}

/** Every catalogued detail text, by code. */
export const ERROR_CATALOGUE = {
  // Looking objects up.
  'network.notFoundByName': { class: 'NO_NETWORK', en: "no network with matching name '{name}'" },
  'network.notFoundByUuid': { class: 'NO_NETWORK', en: "no network with matching uuid '{uuid}'" },
  'guest.notFoundByName': { class: 'NO_DOMAIN', en: "no domain with matching name '{name}'" },
  'guest.notFoundByUuid': { class: 'NO_DOMAIN', en: "no domain with matching uuid '{uuid}'" },
  // A network's state.
  'network.alreadyActive': { class: 'OPERATION_INVALID', en: 'network is already active' },
  'network.alreadyActiveAs': { class: 'OPERATION_INVALID', en: "network is already active as '{name}'" },
  'network.notActive': { class: 'OPERATION_INVALID', en: "network '{name}' is not active" },
  'network.notRunning': { class: 'OPERATION_INVALID', en: 'network is not running' },
  'network.transientUndefine': { class: 'OPERATION_INVALID', en: "can't undefine transient network" },
  'network.transientAutostart': { class: 'OPERATION_INVALID', en: 'cannot set autostart for transient network' },
  'network.transientConfig': { class: 'OPERATION_INVALID', en: 'cannot change persistent config of a transient network' },
  'network.guestsAttached': { class: 'OPERATION_INVALID', en: "network '{name}' has guests attached: {guests} (use --force to {verb} it anyway)" },
  'network.existsWithUuid': { class: 'OPERATION_FAILED', en: "network '{name}' already exists with uuid {uuid}" },
  'network.uuidTaken': { class: 'OPERATION_FAILED', en: "network '{name}' is already defined with uuid {uuid}" },
  'network.changed': {
    class: 'OPERATION_FAILED',
    en: "network '{name}' has changed since it was read: version '{expected}' expected, '{actual}' found",
  },
  'network.inUse': { class: 'INTERNAL_ERROR', en: 'Network is already in use by interface {iface}' },
  'network.routeInUse': { class: 'INTERNAL_ERROR', en: "Route address '{address}' conflicts with IP address for '{iface}'" },
  // A guest's state.
  'guest.alreadyRunning': { class: 'OPERATION_INVALID', en: 'domain is already running' },
  'guest.notRunning': { class: 'OPERATION_INVALID', en: 'domain is not running' },
  'guest.transientUndefine': { class: 'OPERATION_INVALID', en: 'cannot undefine transient domain' },
  'guest.transientConfig': { class: 'OPERATION_INVALID', en: 'transient domains do not have any persistent config' },
  'guest.noDeviceWithMac': { class: 'DEVICE_MISSING', en: 'no device matching MAC address {mac} found' },
  'guest.existsWithUuid': { class: 'OPERATION_FAILED', en: "domain '{name}' already exists with uuid {uuid}" },
  'guest.changed': {
    class: 'OPERATION_FAILED',
    en: "domain '{name}' has changed since it was read: version '{expected}' expected, '{actual}' found",
  },
  // What a network serves (src/conf/network/validate-served.ts).
  'served.hostOnGateway': { class: 'CONFIG_UNSUPPORTED', en: "DHCP host address {address} in network '{name}' is the network's own address" },
  'served.hostOnNetwork': { class: 'CONFIG_UNSUPPORTED', en: "DHCP host address {address} in network '{name}' is the network address of {subnet}" },
  'served.hostOnBroadcast': {
    class: 'CONFIG_UNSUPPORTED',
    en: "DHCP host address {address} in network '{name}' is the broadcast address of {subnet}",
  },
  'served.rangesOverlap': { class: 'CONFIG_UNSUPPORTED', en: "DHCP ranges {start1} to {end1} and {start2} to {end2} in network '{name}' overlap" },
  'served.loopbackSubnet': { class: 'CONFIG_UNSUPPORTED', en: "network '{name}' cannot use the loopback subnet {subnet}" },
  'served.multicastSubnet': { class: 'CONFIG_UNSUPPORTED', en: "network '{name}' cannot use the multicast subnet {subnet}" },
  'served.linkLocalSubnet': { class: 'CONFIG_UNSUPPORTED', en: "network '{name}' cannot use the link-local subnet {subnet}" },
  'served.unsupportedElement': { class: 'CONFIG_UNSUPPORTED', en: "Unsupported {element} element in network {name} with forward mode='{mode}'" },
  'served.dnsDisabled': { class: 'XML_ERROR', en: "Extra data in disabled network '{name}'" },
  // net-update.
  'update.noHost': { class: 'OPERATION_INVALID', en: "couldn't locate a matching dhcp host entry in network '{name}'" },
  'update.noRange': { class: 'OPERATION_INVALID', en: "couldn't locate a matching dhcp range entry in network '{name}'" },
  'update.hostExists': { class: 'OPERATION_INVALID', en: 'there is an existing dhcp host entry in network \'{name}\' that matches "{host}"' },
  'update.rangeExists': { class: 'OPERATION_INVALID', en: 'there is an existing dhcp range entry in network \'{name}\' that matches "{range}"' },
  'update.dnsHostExists': { class: 'OPERATION_INVALID', en: 'there is already at least one DNS HOST record with a matching field in network {name}' },
  'update.noDnsHost': { class: 'OPERATION_INVALID', en: "couldn't locate a matching DNS HOST record in network {name}" },
  'update.dnsTxtExists': { class: 'OPERATION_INVALID', en: "there is already a DNS TXT record with name '{txt}' in network {name}" },
  'update.noDnsTxt': { class: 'OPERATION_INVALID', en: "couldn't locate a matching DNS TXT record in network {name}" },
  'update.noDnsSrv': { class: 'OPERATION_INVALID', en: "couldn't locate a matching DNS SRV record in network {name}" },
  'update.noIpAt': {
    class: 'OPERATION_INVALID',
    en: "couldn't update dhcp host entry - no <ip> element found at index {index} in network '{name}'",
  },
  'update.noIp': { class: 'OPERATION_INVALID', en: "couldn't update dhcp host entry - no <ip> element found in network '{name}'" },
  'update.wrongElement': { class: 'XML_ERROR', en: "unexpected element <{element}>, expecting <{expected}>, while updating network '{name}'" },
  'update.sectionUnsupported': { class: 'OPERATION_UNSUPPORTED', en: "can't update '{section}' section of network '{name}'" },
  'update.unknownCommand': { class: 'XML_DETAIL', en: "unrecognized command name '{command}'" },
  'update.unknownSection': { class: 'XML_DETAIL', en: "unrecognized section name '{section}'" },
  // Port forwards (src/conf/network/port-forward-edit.ts).
  'forward.overlaps': { class: 'OPERATION_INVALID', en: "port forward {forward} of network '{name}' overlaps {other} of network '{otherName}'" },
  'forward.notFound': { class: 'OPERATION_INVALID', en: "couldn't locate a matching port forward {forward} in network '{name}'" },
  'forward.natOnly': {
    class: 'CONFIG_UNSUPPORTED',
    en: "network '{name}' cannot have port forwards: they need <forward mode='nat'/> on a bridge of this host",
  },
  'forward.badTarget': { class: 'CONFIG_UNSUPPORTED', en: "port forward {forward} of network '{name}' cannot go to {to}, which {problem}" },
  // Documents.
  'xml.malformed': { class: 'XML_DETAIL', en: '{label}:{line}: {problem}\n{context}\n{pointer}' },
  'xml.noName': { class: 'XML_DETAIL', en: 'missing name information' },
  'xml.rootElement': { class: 'XML_ERROR', en: "expecting root element of 'network', not '{element}'" },
  'xml.badMtu': { class: 'XML_ERROR', en: "Invalid mtu size '{size}' in network '{name}'" },
  'xml.badDomain': { class: 'XML_ERROR', en: "Invalid domain name '{domain}' in network '{name}'" },
  'xml.badBridgeName': { class: 'XML_ERROR', en: "Invalid bridge name '{bridge}' in network '{name}'" },
  'xml.badAddress': { class: 'XML_ERROR', en: "Invalid address '{address}' in network '{name}'" },
  'xml.badHostMac': { class: 'XML_ERROR', en: "Cannot parse MAC address '{mac}' in network '{name}'" },
  'xml.badHostName': { class: 'XML_ERROR', en: "Cannot use host name '{host}' in network '{name}'" },
  'xml.rangeOutside': { class: 'INTERNAL_ERROR', en: 'range {start} - {end} is not entirely within network {subnet}' },
  'xml.rangeStartsAtNetwork': { class: 'INTERNAL_ERROR', en: 'start of range {start} - {end} in network {subnet} is the network address' },
  'xml.rangeEndsAtBroadcast': { class: 'INTERNAL_ERROR', en: 'end of range {start} - {end} in network {subnet} is the broadcast address' },
  'xml.badForwardMode': { class: 'CONFIG_UNSUPPORTED', en: "unknown forwarding type '{mode}'" },
  'xml.invalid': {
    class: 'XML_INVALID_SCHEMA',
    en: 'XML document failed to validate against schema: Unable to validate doc against {schema}\n{problems}',
  },
  'xml.forwardNoIp': { class: 'XML_ERROR', en: "{mode} forwarding requested, but no IP address provided for network '{name}'" },
  'xml.badForwarder': { class: 'XML_ERROR', en: "Invalid forwarder IP address '{address}' in network '{name}'" },
  // What the CLI itself checks (src/cli/lookup.ts, src/cli/xpath.ts).
  'lookup.badUuid': { class: 'XML_DETAIL', en: 'uuidstr in virNetworkLookupByUUIDString must be a valid UUID' },
  'xpath.incorrect': { class: 'INTERNAL_ERROR', en: "Incorrect xpath '{xpath}'" },
  // Files and the editor the CLI uses (src/cli/commands/fs-helpers.ts, src/cli/editor.ts).
  'file.openFailed': { class: 'SYSTEM_ERROR', en: "Failed to open file '{path}': {why}" },
  'file.readFailed': { class: 'SYSTEM_ERROR', en: "Failed to read file '{path}': {why}" },
  'file.tooLarge': { class: 'INTERNAL_ERROR', en: "File '{path}' is too large" },
  'editor.notFound': { class: 'SYSTEM_ERROR', en: "Cannot find '{editor}' in path: {why}" },
  // virsh's own words about a guest's interfaces (src/conf/guest/virsh-interface.ts).
  'interface.noSupport': { class: 'XML_DETAIL', en: "No support for {type} in command 'attach-interface'" },
  'interface.unsupportedType': { class: 'CONFIG_UNSUPPORTED', en: "Unsupported net type '{type}'" },
  'interface.noneOfType': { class: 'XML_DETAIL', en: 'No interface found whose type is {type}' },
  'interface.pickOne': { class: 'XML_DETAIL', en: 'Domain has {count} interfaces. Please specify which one to detach using --mac' },
  'interface.noMac': { class: 'XML_DETAIL', en: 'No interface with MAC address {mac} was found' },
  'interface.severalMac': {
    class: 'XML_DETAIL',
    en: 'Domain has multiple interfaces matching MAC address {mac}. You must use detach-device and specify the device pci address to remove it.',
  },
  // Connections and sessions.
  'auth.badToken': { class: 'AUTH_FAILED', en: 'the token does not match the one virtnetd wrote to its run directory (RUN/token)' },
  'auth.noToken': {
    class: 'AUTH_FAILED',
    en: "virtnetd requires its token on TCP connections: send 'Authorization: Bearer TOKEN' with the token from the daemon's run directory (RUN/token)",
  },
  'access.readOnly': { class: 'OPERATION_DENIED', en: 'read only access prevents {api}' },
  'connection.lost': { class: 'SYSTEM_ERROR', en: 'End of file while reading data: Input/output error' },
  'connection.refused': { class: 'SYSTEM_ERROR', en: "unable to connect to server at '{where}': {why}" },
  'connection.socketFailed': { class: 'SYSTEM_ERROR', en: "Failed to connect socket to '{where}': {why}" },
  // OVN's databases (src/ovsdb/rpc.ts): the one with no answer first, as the other's {why} would take it.
  'ovsdb.noAnswer': { class: 'OPERATION_FAILED', en: 'cannot connect to the OVSDB server at {where}: no answer in {ms} ms' },
  'ovsdb.connectFailed': { class: 'OPERATION_FAILED', en: 'cannot connect to the OVSDB server at {where}: {why}' },
  'daemon.unexpected': { class: 'INTERNAL_ERROR', en: 'unexpected failure in virtnetd; see its log' },
} as const satisfies Record<string, Entry>;

type CatalogueCode = keyof typeof ERROR_CATALOGUE;
/** A catalogued code, or the code of a class for details no template matches. */
export type ErrorCode = CatalogueCode | `class.${ErrorClass}`;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as CatalogueCode[];
export const CLASS_CODES = (Object.keys(ERROR_PREFIXES) as ErrorClass[]).map((c) => `class.${c}` as const);

/** An error's code and the values of its template's parameters. */
export interface ErrorDescription {
  code: ErrorCode;
  params: Record<string, string>;
}

/** The English template of a class code: libvirt's prefix, then the detail. */
function classTemplate(errorClass: ErrorClass): string {
  return `${ERROR_PREFIXES[errorClass]}{detail}`;
}

/** The English template of any code. */
export function englishTemplate(code: ErrorCode): string {
  if (code.startsWith('class.')) return classTemplate(code.slice('class.'.length) as ErrorClass);
  return ERROR_CATALOGUE[code as CatalogueCode].en;
}

interface Compiled {
  names: string[];
  re: RegExp;
}

/** A template as a regular expression that matches exactly the texts it fills to. */
function compileTemplate(template: string): Compiled {
  const names: string[] = [];
  const source = template
    .split(/(\{\w+\})/)
    .map((part) => {
      const m = /^\{(\w+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1] ?? '');
      return '([\\s\\S]*?)';
    })
    .join('');
  return { names, re: new RegExp(`^${source}$`) };
}

/** The parameters with which `template` fills to `text`, or undefined when it cannot. */
function matchTemplate(compiled: Compiled, text: string): Record<string, string> | undefined {
  const hit = compiled.re.exec(text);
  if (!hit) return undefined;
  const params: Record<string, string> = {};
  compiled.names.forEach((name, i) => {
    params[name] = hit[i + 1] ?? '';
  });
  return params;
}

interface Matcher extends Compiled {
  code: CatalogueCode;
}

let matchers: Map<ErrorClass, Matcher[]> | undefined;

/** The templates as regular expressions, per class (built on first use). */
function matchersOf(errorClass: ErrorClass): Matcher[] {
  if (!matchers) {
    matchers = new Map();
    for (const code of ERROR_CODES) {
      const entry: Entry = ERROR_CATALOGUE[code];
      const list = matchers.get(entry.class) ?? [];
      list.push({ code, ...compileTemplate(entry.en) });
      matchers.set(entry.class, list);
    }
  }
  return matchers.get(errorClass) ?? [];
}

/**
 * The code and parameters of an error, from its class and detail: the
 * catalogue entry whose template gives that very detail, else the class's
 * code with the detail as its one parameter.
 */
export function errorCodeOf(err: { errorClass: ErrorClass; detail: string }): ErrorDescription {
  for (const m of matchersOf(err.errorClass)) {
    const params = matchTemplate(m, err.detail);
    if (!params) continue;
    // The pointer line ("---^") says which column.
    if (m.code === 'xml.malformed') params['column'] = String(Math.max(1, (params['pointer'] ?? '').length));
    return { code: m.code, params };
  }
  return { code: `class.${err.errorClass}`, params: { detail: err.detail } };
}

/**
 * What libxml2 says is wrong with a document that is not well formed (the
 * {problem} of xml.malformed), so a client can say it in its own words:
 * libxml2's English text with {param} placeholders, by code.
 */
export const XML_PROBLEMS = {
  prematureEnd: 'Premature end of data in tag {tag} line {tagLine}',
  tagMismatch: 'Opening and ending tag mismatch: {open} line {openLine} and {close}',
  extraContent: 'Extra content at the end of the document',
  startTagExpected: "Start tag expected, '<' not found",
  empty: 'Document is empty',
  badElementName: 'StartTag: invalid element name',
  unclosedStartTag: "Couldn't find end of Start Tag {tag} line {tagLine}",
  attributeQuote: 'AttValue: " or \' expected',
  attributeConstruct: 'attributes construct error',
  attributeValue: 'Specification mandates value for attribute {attribute}',
  attributeRedefined: 'Attribute {attribute} redefined',
  entitySemicolon: "EntityRef: expecting ';'",
  entityName: 'xmlParseEntityRef: no name',
  entityUndefined: "Entity '{entity}' not defined",
  lessThanInAttribute: "Unescaped '<' not allowed in attributes values",
  endTag: "EndTag: '</' not found",
  attributeName: 'error parsing attribute name',
  comment: 'Comment not terminated',
  notUtf8: 'Input is not proper UTF-8, indicate encoding !',
} as const;

export type XmlProblemCode = keyof typeof XML_PROBLEMS | 'other';

let problemMatchers: { code: keyof typeof XML_PROBLEMS; names: string[]; re: RegExp }[] | undefined;

/** libxml2's problem text as a code and parameters ('other' with {text} when it is none of XML_PROBLEMS). */
export function xmlProblemOf(text: string): { code: XmlProblemCode; params: Record<string, string> } {
  problemMatchers ??= (Object.keys(XML_PROBLEMS) as (keyof typeof XML_PROBLEMS)[]).map((code) => ({ code, ...compileTemplate(XML_PROBLEMS[code]) }));
  const trimmed = text.trim();
  for (const m of problemMatchers) {
    const params = matchTemplate(m, trimmed);
    if (params) return { code: m.code, params };
  }
  return { code: 'other', params: { text: trimmed } };
}

/** Texts of one language: a template per code (missing ones fall back to English), and libxml2's problems. */
export interface ErrorTexts {
  errors: Partial<Record<ErrorCode, string>>;
  problems?: Partial<Record<XmlProblemCode, string>>;
}

/** An error's text in the language `texts` hold. */
export function errorText(desc: ErrorDescription, texts: ErrorTexts): string {
  const params = { ...desc.params };
  const problem = params['problem'];
  if (desc.code === 'xml.malformed' && problem !== undefined && texts.problems) {
    const p = xmlProblemOf(problem);
    const template = texts.problems[p.code];
    if (template !== undefined) params['problem'] = fillTemplate(template, p.params);
  }
  return fillTemplate(texts.errors[desc.code] ?? englishTemplate(desc.code), params);
}
