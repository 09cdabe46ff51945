/**
 * What libvirt's network driver fills into a definition at define/create time
 * and when it loads a config from disk:
 * - a UUID when the document had none;
 * - for the networks libvirt builds itself (none/nat/route/open): a bridge
 *   name (virbrN, or the user's one-%d template) and a random 52:54:00 MAC
 *   (an OVN network gets the MAC only).
 *
 * Bridge-name allocation is a read-check-claim sequence over every network's
 * bridge and the host's links. It is only safe when no other allocation runs
 * between the check and the moment the new definition is visible to the next
 * one: callers must hold the driver's bridge-name lock from the allocation
 * until the definition is in its network list (libvirt: bridgeNameValidateMutex).
 * Nothing here holds a lock, so this layer keeps no state.
 */
import { createHash, randomBytes as cryptoRandomBytes, randomUUID } from 'node:crypto';
import { internalError } from '../../util/errors.js';
import type { NetworkDef } from './types.js';
import { hasLinuxBridge, VIRTUAL_FORWARD_MODES } from './types.js';
import { checkNetworkConfig, checkNetworkName, sysfsValidateFacts, type ValidateFacts } from './validate.js';

/** libvirt's MAX_BRIDGE_ID: candidates virbr0 … virbr256. */
const MAX_BRIDGE_ID = 256;

/** The prefix of every MAC libvirt generates (QEMU's OUI). */
const GENERATED_MAC_PREFIX = [0x52, 0x54, 0x00] as const;

/** Randomness, injectable so tests are deterministic. Defaults: node:crypto. */
export interface DefineRandomness {
  randomUuid?: () => string;
  /** n random bytes. */
  randomBytes?: (n: number) => Uint8Array;
}

/** The part of a definition the bridge-name check reads. */
interface BridgeOwner {
  name: string;
  bridge: { name?: string };
}

/** One network object the driver holds: its live def and, while running, its persistent def. */
export interface NetworkObjectDefs {
  def: BridgeOwner;
  newDef?: BridgeOwner;
}

/** Host and driver facts for define-time defaults. */
export interface DefineFacts extends DefineRandomness {
  /**
   * Every network object the driver knows. The one being (re)defined may be
   * among them: objects whose live or persistent def carries the same name
   * are skipped, as libvirt does (it matches by name only).
   */
  networks: Iterable<NetworkObjectDefs>;
  /** Whether a network device of that name exists on the host (network namespace). */
  linkExists(name: string): Promise<boolean>;
}

function isVirtual(def: NetworkDef): boolean {
  return VIRTUAL_FORWARD_MODES.includes(def.forward.mode);
}

/** Whether another network (not named `skipName`) uses `bridge` in its live or persistent def. */
function bridgeNameInUse(networks: Iterable<NetworkObjectDefs>, bridge: string, skipName?: string): boolean {
  for (const obj of networks) {
    if (skipName !== undefined && (obj.def.name === skipName || obj.newDef?.name === skipName)) continue;
    if (obj.def.bridge.name === bridge || obj.newDef?.bridge.name === bridge) return true;
  }
  return false;
}

/**
 * The printf template to allocate from: the given name when it holds exactly
 * one '%' and that '%' starts "%d", else libvirt's "virbr%d".
 */
export function bridgeNameTemplate(name: string | undefined): string {
  if (name !== undefined) {
    const p = name.indexOf('%');
    if (p >= 0 && p === name.lastIndexOf('%') && name[p + 1] === 'd') return name;
  }
  return 'virbr%d';
}

/** An absent name, or one containing "%d", is allocated; anything else is taken as the user's choice. */
export function needsBridgeAllocation(name: string | undefined): boolean {
  return name === undefined || name === '' || name.includes('%d');
}

/**
 * libvirt's networkBridgeNameValidate: the bridge name a none/nat/route/open
 * network will use. An explicit name is only checked against other networks
 * (a clash with a host device surfaces at start); otherwise the first of
 * TEMPLATE(0..256) that no other network uses and no host link has.
 * Hold the driver's bridge-name lock around this and the insertion of the result.
 */
export async function allocateBridgeName(def: BridgeOwner, facts: DefineFacts): Promise<string> {
  const given = def.bridge.name;
  if (!needsBridgeAllocation(given)) {
    if (bridgeNameInUse(facts.networks, given!, def.name)) {
      throw internalError(`bridge name '${given}' already in use.`);
    }
    return given!;
  }
  const template = bridgeNameTemplate(given);
  for (let id = 0; id <= MAX_BRIDGE_ID; id++) {
    const candidate = template.replace('%d', String(id));
    if (bridgeNameInUse(facts.networks, candidate, def.name)) continue;
    if (await facts.linkExists(candidate)) continue;
    return candidate;
  }
  throw internalError(`Bridge generation exceeded max id ${MAX_BRIDGE_ID}`);
}

/** A random unicast MAC with libvirt's 52:54:00 prefix, lower case. */
export function generateNetworkMac(random: DefineRandomness = {}): string {
  const tail = (random.randomBytes ?? cryptoRandomBytes)(3);
  const bytes = [...GENERATED_MAC_PREFIX, tail[0]!, tail[1]!, tail[2]!];
  return bytes.map((b) => (b & 0xff).toString(16).padStart(2, '0')).join(':');
}

function newUuid(random: DefineRandomness): string {
  return (random.randomUuid ?? randomUUID)();
}

/**
 * The define/create defaults, on a copy: a UUID if the document gave none
 * (uuidSpecified false; one the parser already made up is replaced, so the
 * injected randomness decides; uuidSpecified stays false), and for none/nat/route/open a bridge name
 * and a MAC. Throws the bridge-name errors. Hold the driver's bridge-name lock.
 */
export async function applyDefineDefaults(def: NetworkDef, facts: DefineFacts): Promise<NetworkDef> {
  const out = structuredClone(def);
  if (out.ovn !== undefined) return ovnDefaults(out);
  if (!out.uuidSpecified || out.uuid === '') out.uuid = newUuid(facts);
  if (isVirtual(out)) {
    if (hasLinuxBridge(out)) out.bridge.name = await allocateBridgeName(out, facts);
    if (out.mac === undefined) out.mac = generateNetworkMac(facts);
  }
  return out;
}

/**
 * An OVN network is one network on every host that defines it, so what
 * libvirt makes up at random is derived instead: a UUID the document does
 * not give comes from the northbound database and the name (the same XML
 * defined on two hosts is the same network), and the MAC of its router
 * port from the UUID. No bridge name: it has no Linux bridge.
 */
function ovnDefaults(out: NetworkDef): NetworkDef {
  if (!out.uuidSpecified || out.uuid === '') {
    const h = createHash('sha256')
      .update(`virtnet-ovn\n${out.ovn?.northbound ?? ''}\n${out.name}`)
      .digest('hex');
    const variant = ((parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
    out.uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  if (out.mac === undefined) {
    const b = createHash('sha256').update(`virtnet-ovn-mac\n${out.uuid}`).digest();
    out.mac = [...GENERATED_MAC_PREFIX, b[0]!, b[1]!, b[2]!].map((x) => x.toString(16).padStart(2, '0')).join(':');
  }
  return out;
}

/**
 * libvirt's networkValidate as a whole, in its order: the name check, the
 * bridge name and MAC (none/nat/route/open), then every other check. Returns
 * the completed copy. Hold the driver's bridge-name lock until the result is in the
 * network list.
 */
export async function prepareNetworkForDefine(def: NetworkDef, facts: DefineFacts & Partial<ValidateFacts>): Promise<NetworkDef> {
  checkNetworkName(def);
  const out = await applyDefineDefaults(def, facts);
  const validateFacts: ValidateFacts = facts.isSriovVirtualFunction
    ? { isSriovVirtualFunction: facts.isSriovVirtualFunction.bind(facts) }
    : sysfsValidateFacts;
  checkNetworkConfig(out, validateFacts);
  return out;
}

/** What loading a config from disk filled in; if anything, the caller rewrites the file. */
interface LoadDefaultsResult {
  def: NetworkDef;
  uuidAdded: boolean;
  macAdded: boolean;
}

/**
 * libvirt's treatment of a config read at daemon start (virNetworkLoadConfig):
 * a missing UUID (uuidSpecified false) and, for none/nat/route/open, a missing
 * MAC are generated, and the config must be saved again so they stay stable.
 * Other modes lose any MAC (older releases wrote one), without a rewrite.
 * Bridge names are not allocated here.
 */
export function applyLoadDefaults(def: NetworkDef, random: DefineRandomness = {}): LoadDefaultsResult {
  if (def.ovn !== undefined) {
    const out = ovnDefaults(structuredClone(def));
    return { def: out, uuidAdded: !def.uuidSpecified, macAdded: def.mac === undefined };
  }
  const out = structuredClone(def);
  const uuidAdded = !out.uuidSpecified;
  if (uuidAdded || out.uuid === '') out.uuid = newUuid(random);
  let macAdded = false;
  if (isVirtual(out)) {
    if (out.mac === undefined) {
      out.mac = generateNetworkMac(random);
      macAdded = true;
    }
  } else {
    delete out.mac;
  }
  return { def: out, uuidAdded, macAdded };
}
