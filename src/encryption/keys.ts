// Payload encryption keys: `id:base64` pairs, newest first. The newest encrypts, every one
// decrypts, so a key is rotated by putting a new one in front and dropping the old one only
// after every payload it wrote has left the namespace (retention).
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

export const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** One AES-256 key. Printed, logged or serialized, it shows its id only. */
export class EncryptionKey {
  readonly #secret: Buffer;
  constructor(
    readonly id: string,
    secret: Buffer,
  ) {
    this.#secret = secret;
  }
  get secret(): Buffer {
    return this.#secret;
  }
  toJSON() {
    return { id: this.id };
  }
  [inspect.custom]() {
    return `EncryptionKey(${this.id})`;
  }
}

export class EncryptionKeyFormatError extends Error {
  override name = 'EncryptionKeyFormatError';
}

/**
 * `id1:base64,id2:base64` (commas or newlines; `#` starts a comment line). Messages name the
 * key id or position, never the value.
 */
export function parseKeyList(text: string): EncryptionKey[] {
  const entries = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const keys: EncryptionKey[] = [];
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new EncryptionKeyFormatError(`entry ${i + 1}: expected id:base64-key`);
    const id = entry.slice(0, colon).trim();
    const value = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id))
      throw new EncryptionKeyFormatError(`entry ${i + 1}: key id must be 1-64 of A-Z a-z 0-9 . _ -`);
    if (keys.some((k) => k.id === id)) throw new EncryptionKeyFormatError(`key id ${id} appears twice`);
    const secret = /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : Buffer.alloc(0);
    if (secret.length !== KEY_BYTES)
      throw new EncryptionKeyFormatError(`key ${id}: expected ${KEY_BYTES} bytes in base64 (openssl rand -base64 32)`);
    keys.push(new EncryptionKey(id, secret));
  });
  return keys;
}

/** A fresh key in the list format, e.g. for a new rotation: `npx tsx -e ...` or the docs' openssl line. */
export function newKeyEntry(id: string): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
