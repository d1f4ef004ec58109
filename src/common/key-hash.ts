// A compact, deterministic fingerprint of an event key for the dedupe record: two 32-bit
// FNV-1a hashes with different offsets, 16 hex characters. Plain arithmetic, so it runs
// the same inside the workflow sandbox and out of it.

function fnv1a(text: string, offset: number): number {
  let h = offset >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function keyHash(key: string): string {
  const a = fnv1a(key, 0x811c9dc5).toString(16).padStart(8, '0');
  const b = fnv1a(key, 0x050c5d1f).toString(16).padStart(8, '0');
  return a + b;
}
