// A callback's raw bytes, read with a size limit, straight from the request stream: the
// receivers' hot path skips express's body parser and its per-request setup. Compressed
// bodies are inflated as express's parser would, and the limit applies to what they inflate to.
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

export type BodyRead =
  { kind: 'read'; body: Buffer } | { kind: 'too-large'; detail: string } | { kind: 'unreadable'; detail: string };

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** `256kb` → 262144 (the BODY_LIMIT format: b, kb or mb, powers of 1024). */
export function sizeInBytes(size: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(size.trim());
  if (!match) throw new Error(`not a size: ${size}`);
  return Number(match[1]) * UNITS[match[2].toLowerCase()];
}

const EMPTY = Buffer.alloc(0);

function decoder(encoding: string): Transform | undefined {
  switch (encoding) {
    case 'gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/**
 * Reads the whole body, or stops at `limit` bytes. A refused request is read to its end
 * (and discarded) before the answer, so the connection stays usable for the next one.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (declared === undefined || declared === '0'))
    return Promise.resolve({ kind: 'read', body: EMPTY });
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const inflate = encoding === 'identity' ? undefined : decoder(encoding);
  if (encoding !== 'identity' && !inflate) return discard(req, { kind: 'unreadable', detail: 'encoding.unsupported' });
  if (!inflate && declared !== undefined && Number(declared) > limit)
    return discard(req, { kind: 'too-large', detail: 'body over limit' });

  return new Promise((resolve) => {
    const source: Readable = inflate ?? req;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyRead) => {
      if (settled) return;
      settled = true;
      source.removeListener('data', onData);
      if (inflate) {
        req.unpipe(inflate);
        inflate.on('error', () => {});
        inflate.destroy();
      }
      if (result.kind === 'read') resolve(result);
      else void discard(req, result).then(resolve);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish({ kind: 'too-large', detail: 'body over limit' });
      chunks.push(chunk);
    };
    source.on('data', onData);
    source.once('end', () => finish({ kind: 'read', body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) }));
    source.once('error', () =>
      finish({ kind: 'unreadable', detail: inflate ? 'body does not inflate' : 'request.aborted' }),
    );
    req.once('aborted', () => finish({ kind: 'unreadable', detail: 'request.aborted' }));
    if (inflate) {
      req.once('error', () => finish({ kind: 'unreadable', detail: 'request.aborted' }));
      req.pipe(inflate);
    }
  });
}

/** Reads off what is left of the request, then settles with `result`. */
function discard<T>(req: IncomingMessage, result: T): Promise<T> {
  if (req.complete || req.destroyed) return Promise.resolve(result);
  return new Promise((resolve) => {
    const done = () => resolve(result);
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}
