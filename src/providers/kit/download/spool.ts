// A document body written to disk as it arrives, never whole in memory: signed packages can
// be tens of megabytes and several steps may download at once. The activity heartbeats as
// bytes come, so a download that stalls is seen (and retried) instead of waiting out its
// whole timeout, and a cancelled one stops.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { STEP_FAILURE, nonRetryable } from './failures';

export interface SpooledFile {
  /** A temporary file, already synced; the caller renames it into place or removes it. */
  tempPath: string;
  bytes: number;
  sha256: string;
  /** The first bytes, to tell the file type. */
  head: Buffer;
}

export type Spool = (chunks: AsyncIterable<Uint8Array>) => Promise<SpooledFile>;

export interface SpoolFolder {
  write: Spool;
  /** Removes every file written and not moved away since (after a failure, or any end). */
  discard(): Promise<void>;
}

const HEARTBEAT_EVERY_BYTES = 1024 * 1024;

function heartbeat(bytes: number): void {
  try {
    Context.current().heartbeat({ bytes });
  } catch {
    // Outside an activity (a script): nobody to tell.
  }
}

/** Writes into `dir` (created if missing), failing past `maxBytes` and leaving nothing behind. */
export function createSpool(dir: string, maxBytes: number): SpoolFolder {
  const written: string[] = [];
  const write: Spool = async (chunks) => {
    await mkdir(dir, { recursive: true });
    const tempPath = join(dir, `${randomBytes(8).toString('hex')}.part`);
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let bytes = 0;
    let lastBeat = 0;
    const handle = await open(tempPath, 'wx', 0o640);
    written.push(tempPath);
    try {
      for await (const chunk of chunks) {
        bytes += chunk.byteLength;
        if (bytes > maxBytes)
          throw nonRetryable(STEP_FAILURE.tooLarge, `document is more than the ${maxBytes} bytes allowed`);
        if (head.length === 0 || Buffer.concat(head).length < 64) head.push(Buffer.from(chunk.subarray(0, 64)));
        hash.update(chunk);
        await handle.write(chunk);
        if (bytes - lastBeat >= HEARTBEAT_EVERY_BYTES) {
          lastBeat = bytes;
          heartbeat(bytes);
        }
      }
      // The rename that publishes it must not publish bytes still only in the page cache.
      await handle.sync();
    } catch (err) {
      await handle.close();
      await rm(tempPath, { force: true });
      throw err;
    }
    await handle.close();
    heartbeat(bytes);
    return { tempPath, bytes, sha256: hash.digest('hex'), head: Buffer.concat(head).subarray(0, 64) };
  };
  return {
    write,
    discard: async () => {
      await Promise.all(written.splice(0).map((path) => rm(path, { force: true })));
    },
  };
}
