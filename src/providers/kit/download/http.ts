// Downloads with the provider's credentials. Credentials go only to the host they belong to:
// redirects are followed by hand, and one to another host (object storage, a CDN) is
// followed without them.
import { STEP_FAILURE, nonRetryable, requestSignal } from './failures';

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

export interface FetchedBody {
  status: number;
  contentType: string;
  disposition: string | undefined;
  body: Buffer;
}

/** An answer whose body is still to be read (a 2xx one), or was discarded (any other). */
export interface OpenedAnswer {
  status: number;
  contentType: string;
  disposition: string | undefined;
  /** Undefined unless 2xx. Read it (or cancel it) exactly once. */
  body?: ReadableStream<Uint8Array>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_HOPS = 3;

/** A whole answer in memory: for API answers (JSON), bounded by `limits.maxBytes`. */
export async function fetchLimited(
  url: URL,
  headers: Record<string, string>,
  limits: FetchLimits,
): Promise<FetchedBody> {
  const opened = await openLimited(url, headers, limits);
  const body = opened.body ? await readLimited(opened.body, limits.maxBytes) : Buffer.alloc(0);
  return { status: opened.status, contentType: opened.contentType, disposition: opened.disposition, body };
}

/**
 * The answer with its body unread, so a document can go to disk as it arrives. A declared
 * length over `limits.maxBytes` fails here; the reader still counts what actually comes.
 */
export async function openLimited(
  url: URL,
  headers: Record<string, string>,
  limits: FetchLimits,
): Promise<OpenedAnswer> {
  const signal = requestSignal(limits.timeoutMs);
  let current = url;
  let res = await fetch(current, { headers, redirect: 'manual', signal });
  for (let hop = 0; REDIRECTS.has(res.status) && hop < MAX_HOPS; hop++) {
    const location = res.headers.get('location');
    if (!location) break;
    await res.body?.cancel();
    const next = new URL(location, current);
    const keep = next.origin === url.origin;
    current = next;
    res = await fetch(current, { headers: keep ? headers : pick(headers, 'accept'), redirect: 'manual', signal });
  }
  const contentType = res.headers.get('content-type') ?? '';
  const disposition = res.headers.get('content-disposition') ?? undefined;
  if (!res.ok) {
    await res.body?.cancel();
    return { status: res.status, contentType, disposition };
  }
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    await res.body?.cancel();
    throw nonRetryable(
      STEP_FAILURE.tooLarge,
      `document is ${declared} bytes, more than the ${limits.maxBytes} allowed`,
    );
  }
  return { status: res.status, contentType, disposition, body: res.body ?? undefined };
}

function pick(headers: Record<string, string>, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => names.includes(k.toLowerCase())));
}

/** The rest of a body in memory, `first` (already read) included; fails past `maxBytes`. */
export async function readLimited(
  body: AsyncIterable<Uint8Array>,
  maxBytes: number,
  first?: Uint8Array,
): Promise<Buffer> {
  const chunks: Uint8Array[] = first ? [first] : [];
  let total = first?.byteLength ?? 0;
  if (total > maxBytes)
    throw nonRetryable(STEP_FAILURE.tooLarge, `document is more than the ${maxBytes} bytes allowed`);
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw nonRetryable(STEP_FAILURE.tooLarge, `document is more than the ${maxBytes} bytes allowed`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The `filename` of a Content-Disposition header, if any (RFC 6266, both forms). */
export function dispositionFileName(disposition: string | undefined): string | undefined {
  if (!disposition) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // Malformed escapes: fall through to the plain form.
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(disposition);
  return (plain?.[1] ?? plain?.[2])?.trim() || undefined;
}
