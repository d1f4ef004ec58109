// AES-256-GCM over whole payloads (metadata and data), so Temporal stores neither the values
// nor their encoding. Runs outside the workflow sandbox: in clients, workers and the codec
// server, never in workflow code.
import { createCipheriv, createDecipheriv, createSecretKey, randomFillSync, type KeyObject } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { EncryptionKey } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string) => new TextEncoder().encode(s);
/** Random IVs drawn this many at a time: one call into the random source per batch, not per payload. */
const IV_BATCH = 256;
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/** A payload written under a key this process does not have (rotated out, or another deployment's). */
export class UnknownEncryptionKeyError extends Error {
  override name = 'UnknownEncryptionKeyError';
  constructor(
    readonly keyId: string,
    known: string[],
  ) {
    super(
      `payload encrypted with key "${keyId}", which is not configured here (known: ${known.join(', ') || 'none'}); add it to COUNTERSIGN_ENCRYPTION_KEYS`,
    );
  }
}

/** A payload whose key id matches but whose bytes do not authenticate (wrong key value, tampering). */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
  constructor(readonly keyId: string) {
    super(
      `payload encrypted with key "${keyId}" does not decrypt with the configured key of that id (wrong key value, or the payload was altered)`,
    );
  }
}

/**
 * A key as the cipher calls use it: imported once (each cipher built from raw bytes would
 * import them again), with its id as the additional authenticated data.
 */
interface PreparedKey {
  id: string;
  key: KeyObject;
  aad: Buffer;
}

const prepare = (k: EncryptionKey): PreparedKey => ({
  id: k.id,
  key: createSecretKey(k.secret),
  aad: Buffer.from(k.id),
});

export class EncryptionCodec implements PayloadCodec {
  readonly #byId: Map<string, PreparedKey>;
  readonly #current: PreparedKey;
  readonly #ivs = Buffer.alloc(IV_BYTES * IV_BATCH);
  #nextIv = IV_BATCH;

  /** `keys` newest first: the first encrypts, all decrypt. */
  constructor(keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new Error('EncryptionCodec needs at least one key');
    this.#current = prepare(keys[0]);
    this.#byId = new Map(keys.map((k) => [k.id, k === keys[0] ? this.#current : prepare(k)]));
  }

  /** A fresh random IV, copied out of the batch: each is used once, then the batch is refilled. */
  #iv(): Buffer {
    if (this.#nextIv === IV_BATCH) {
      randomFillSync(this.#ivs);
      this.#nextIv = 0;
    }
    const start = this.#nextIv++ * IV_BYTES;
    return Buffer.from(this.#ivs.subarray(start, start + IV_BYTES));
  }

  get currentKeyId(): string {
    return this.#current.id;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- PayloadCodec is async; a payload that cannot be encoded rejects, never throws
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encodeOne(p));
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- as encode: a payload that cannot be decoded rejects
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decodeOne(p));
  }

  private encodeOne(payload: Payload): Payload {
    const key = this.#current;
    const plain = temporal.api.common.v1.Payload.encode({ metadata: payload.metadata, data: payload.data }).finish();
    const iv = this.#iv();
    const cipher = createCipheriv('aes-256-gcm', key.key, iv);
    // The key id is authenticated too: a payload relabelled with another id fails to decrypt.
    cipher.setAAD(key.aad);
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(key.id) }, data: sealed };
  }

  private decodeOne(payload: Payload): Payload {
    // Payloads written before encryption was turned on stay readable.
    if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]) ?? '(none)';
    const key = this.#byId.get(keyId);
    if (!key) throw new UnknownEncryptionKeyError(keyId, [...this.#byId.keys()]);
    const sealed = Buffer.from(payload.data ?? new Uint8Array());
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(keyId);
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(key.aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(keyId);
    }
    const inner = temporal.api.common.v1.Payload.decode(plain);
    return { metadata: inner.metadata ?? {}, data: inner.data ?? new Uint8Array() };
  }
}
