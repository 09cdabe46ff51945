/**
 * Network interface names virtnet hands to the kernel, `ip -batch`, nftables
 * and dnsmasq: what the kernel accepts (1 to 15 bytes, no '/', ':' or white
 * space, not "." or ".."), without the characters one of those tools reads
 * specially: quotes, '#' and '\' (ip's batch lines), ',' (dnsmasq's
 * interface list), '*' and '@' (nftables' wildcard and set references).
 */
const IFNAME_CHARS = /^[^\s/:'"#\\,*@]+$/;
const IFNAME_MAX_BYTES = 15;

export function isValidIfname(name: string): boolean {
  return IFNAME_CHARS.test(name) && Buffer.byteLength(name, 'utf8') <= IFNAME_MAX_BYTES && name !== '.' && name !== '..';
}
