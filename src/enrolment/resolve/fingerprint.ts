/**
 * A 64-bit fingerprint of an identifier (two independent 32-bit halves), so the account index keeps
 * 8 bytes per email or mobile number instead of the string. Two different identifiers share a
 * fingerprint with probability 2^-64 per pair: across a 5M-contact account and 5M queries that is
 * about one chance in 700,000 per sync, which is why the index is only used for identifiers, never
 * to decide that two records are the same person.
 */
export interface Fingerprint {
  hi: number;
  lo: number;
}

/** murmur3's 32-bit finaliser: spreads every input bit over the word. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function fingerprint(text: string): Fingerprint {
  let a = 0x9e3779b9 ^ text.length;
  let b = 0x7f4a7c15 ^ Math.imul(text.length, 0x27d4eb2f);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return { hi: mix(a ^ Math.imul(b, 0x85ebca6b)), lo: mix(b ^ Math.imul(a, 0xcc9e2d51)) };
}
