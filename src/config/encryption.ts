// Payload encryption keys and the codec server the Web UI calls.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseKeyList, type EncryptionKey } from '../encryption/keys';
import { ConfigError } from './config-error';
import { optionalString } from './primitives';

export const encryptionEnv = {
  /**
   * Payload encryption keys, `id:base64` (32 bytes each), comma-separated, newest first: the
   * first encrypts, all decrypt. Or COUNTERSIGN_ENCRYPTION_KEYS_FILE, a file in the same format.
   */
  COUNTERSIGN_ENCRYPTION_KEYS: optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined;
    try {
      return parseKeyList(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
  COUNTERSIGN_ENCRYPTION_KEYS_FILE: optionalString,
  /** Bearer token of the codec server (`/codec/decode`, `/codec/encode`); unset: no codec server. */
  COUNTERSIGN_CODEC_TOKEN: optionalString.refine(
    (v) => v === undefined || v.length >= 16,
    'expected at least 16 characters',
  ),
  /** Web UI origins allowed to call the codec server from a browser, comma-separated. */
  COUNTERSIGN_CODEC_ORIGINS: optionalString.refine(
    (v) => v === undefined || v.split(',').every((o) => /^https?:\/\/[^/\s]+\/?$/.test(o.trim())),
    'expected origins like http://localhost:8080,https://temporal.example.com (no path)',
  ),
};

type EncryptionEnv = z.infer<z.ZodObject<typeof encryptionEnv>>;

/** Read once here, so a missing or malformed key file stops startup naming the variable. */
export function encryptionSettings(e: EncryptionEnv): {
  keys: EncryptionKey[];
  source?: 'COUNTERSIGN_ENCRYPTION_KEYS' | 'COUNTERSIGN_ENCRYPTION_KEYS_FILE' | 'dev';
} {
  if (e.COUNTERSIGN_ENCRYPTION_KEYS && e.COUNTERSIGN_ENCRYPTION_KEYS_FILE) {
    throw new ConfigError(
      'Invalid configuration:\n  COUNTERSIGN_ENCRYPTION_KEYS and COUNTERSIGN_ENCRYPTION_KEYS_FILE: set one or the other',
    );
  }
  if (e.COUNTERSIGN_ENCRYPTION_KEYS) {
    if (e.COUNTERSIGN_ENCRYPTION_KEYS.length === 0)
      throw new ConfigError('Invalid configuration:\n  COUNTERSIGN_ENCRYPTION_KEYS: no key in it');
    return { keys: e.COUNTERSIGN_ENCRYPTION_KEYS, source: 'COUNTERSIGN_ENCRYPTION_KEYS' };
  }
  const file = e.COUNTERSIGN_ENCRYPTION_KEYS_FILE;
  if (!file) return { keys: [] };
  let keys: EncryptionKey[];
  try {
    keys = parseKeyList(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code
      ? `cannot read ${file} (${(err as NodeJS.ErrnoException).code})`
      : (err as Error).message;
    throw new ConfigError(`Invalid configuration:\n  COUNTERSIGN_ENCRYPTION_KEYS_FILE: ${why}`);
  }
  if (keys.length === 0)
    throw new ConfigError(`Invalid configuration:\n  COUNTERSIGN_ENCRYPTION_KEYS_FILE: no key in ${file}`);
  return { keys, source: 'COUNTERSIGN_ENCRYPTION_KEYS_FILE' };
}
