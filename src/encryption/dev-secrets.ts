// What `npm start` (and the standalone demo) create in their data folder when nothing is
// configured: a payload key and a codec token, kept across restarts (owner-only files) so
// transactions written before a restart stay readable, and the Web UI keeps its endpoint.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { newKeyEntry, parseKeyList, type EncryptionKey } from './keys';

export const DEV_KEYS_FILE = 'encryption-keys';
export const DEV_CODEC_TOKEN_FILE = 'codec-token';

function ensureFile(dataDir: string, name: string, content: () => string): { file: string; created: boolean } {
  const dir = resolve(dataDir);
  const file = join(dir, name);
  if (existsSync(file)) return { file, created: false };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, content(), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { file, created: true };
}

/** The development payload key, in COUNTERSIGN_ENCRYPTION_KEYS_FILE's format. */
export function ensureDevKeys(dataDir: string): { keys: EncryptionKey[]; file: string; created: boolean } {
  const id = `dev-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
  const { file, created } = ensureFile(
    dataDir,
    DEV_KEYS_FILE,
    () => `# Development payload key of npm start, newest first. Not for production.\n${newKeyEntry(id)}\n`,
  );
  return { keys: parseKeyList(readFileSync(file, 'utf8')), file, created };
}

/** The development codec token the embedded Web UI calls the codec server with. */
export function ensureDevCodecToken(dataDir: string): { token: string; file: string } {
  const { file } = ensureFile(dataDir, DEV_CODEC_TOKEN_FILE, () => `${randomBytes(24).toString('base64url')}\n`);
  return { token: readFileSync(file, 'utf8').trim(), file };
}
