/**
 * Integer text exactly as libvirt's printf formats produce it for the C
 * types its network definition stores. JavaScript would print large
 * numbers in exponent form and never wrap; libvirt prints plain digits and
 * a value that does not fit the C type wraps the way C converts it (for
 * example `delay` is an unsigned long printed with `%ld`).
 */

function toBigInt(n: number): bigint {
  if (!Number.isFinite(n)) return 0n;
  return BigInt(Math.trunc(n));
}

/** `%d` of a 32-bit int (or of an unsigned int, which C reinterprets as signed). */
export function cInt(n: number): string {
  return BigInt.asIntN(32, toBigInt(n)).toString();
}

/** `%u` of a 32-bit unsigned int. */
export function cUInt(n: number): string {
  return BigInt.asUintN(32, toBigInt(n)).toString();
}

/** `%ld` of a 64-bit long (libvirt's bridge delay). */
export function cLong(n: number): string {
  return BigInt.asIntN(64, toBigInt(n)).toString();
}

/** `%llu` of an unsigned long long (bandwidth rates, lease expiry). */
export function cULongLong(n: number): string {
  return BigInt.asUintN(64, toBigInt(n)).toString();
}

/** `%0Nx` of an unsigned int: lower-case hex, zero-padded to `width` digits. */
export function cHex(n: number, width: number): string {
  return BigInt.asUintN(32, toBigInt(n)).toString(16).padStart(width, '0');
}
