import type { FormatOptions, NetworkDef } from './types.js';

/** Format a NetworkDef as libvirt's virNetworkDefFormat does, byte for byte. */
export function formatNetworkXml(def: NetworkDef, options: FormatOptions = {}): string {
  void def;
  void options;
  throw new Error('not implemented');
}
