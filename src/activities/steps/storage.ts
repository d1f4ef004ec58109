// Where downloaded documents land: `{root}/{provider}/{folder}/{file}`, the folder named for
// the transaction's id. Every part of the path comes from a provider or a callback, so each is
// reduced to one safe path segment, and a reader never sees a half-written file (write to a
// temporary name, then rename).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

export interface StoredFile {
  /** The file's path: the storage folder as configured, joined with provider/externalId/file. */
  path: string;
  bytes: number;
  /** Lowercase hex SHA-256 of the content, to check the copy later. */
  sha256: string;
}

/** One path segment: no separators, no `..`, no control characters, at most 120 characters. */
export function safeSegment(raw: string): string {
  const cleaned = raw
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._~-]+/g, '_')
    .replace(/^[.]+/, '_')
    .slice(0, 120);
  return cleaned === '' ? '_' : cleaned;
}

const PLAIN_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

/**
 * The folder for one transaction id, distinct for distinct ids: an id that is already a short
 * plain segment is used as it is; any other (`a/b`, `a:b`, long ones) becomes a readable slug,
 * `~` and a hash of the whole id. Plain ids never hold `~`, so the two forms cannot meet.
 */
export function storageFolder(id: string): string {
  if (PLAIN_ID.test(id)) return id;
  const slug = safeSegment(id).replace(/~/g, '_').slice(0, 48);
  return `${slug}~${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 16)}`;
}

/** The target path for `segments` under `root`, its folder created. */
async function prepareTarget(root: string, segments: string[]): Promise<{ parts: string[]; target: string }> {
  const parts = segments.map(safeSegment);
  const target = resolve(root, ...parts);
  // safeSegment already forbids escaping; this check keeps it that way if it ever changes.
  const rel = relative(resolve(root), target);
  if (rel.startsWith('..') || rel.split(sep).length !== parts.length)
    throw new Error('document path escapes the storage folder');
  await mkdir(resolve(root, ...parts.slice(0, -1)), { recursive: true });
  return { parts, target };
}

/** Publishes a file already written and synced elsewhere under `root` (a spooled download). */
export async function placeAtomically(
  root: string,
  segments: string[],
  file: { tempPath: string; bytes: number; sha256: string },
): Promise<StoredFile> {
  const { parts, target } = await prepareTarget(root, segments);
  await rename(file.tempPath, target);
  return { path: join(root, ...parts), bytes: file.bytes, sha256: file.sha256 };
}

export async function writeAtomically(root: string, segments: string[], content: Uint8Array): Promise<StoredFile> {
  const { parts, target } = await prepareTarget(root, segments);
  const temp = `${target}.${randomBytes(6).toString('hex')}.part`;
  try {
    const handle = await open(temp, 'wx', 0o640);
    try {
      await handle.writeFile(content);
      // The rename must not publish a file whose bytes are still only in the page cache.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return {
    path: join(root, ...parts),
    bytes: content.byteLength,
    sha256: createHash('sha256').update(content).digest('hex'),
  };
}

/** The extension a file with no extension of its own gets, from its first bytes. */
export function extensionFor(content: Uint8Array): string {
  const head = Buffer.from(content.subarray(0, 5)).toString('latin1');
  if (head.startsWith('%PDF-')) return '.pdf';
  if (head.startsWith('PK')) return '.zip';
  return '.bin';
}

/** `name` as a file name, given an extension from the content when it has none. */
export function fileNameFor(name: string | undefined, content: Uint8Array, fallback: string): string {
  const base = safeSegment(name?.trim() || fallback);
  return /\.[A-Za-z0-9]{1,8}$/.test(base) ? base : `${base}${extensionFor(content)}`;
}
