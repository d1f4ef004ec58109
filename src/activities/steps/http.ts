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

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_HOPS = 3;

export async function fetchLimited(url: URL, headers: Record<string, string>, limits: FetchLimits): Promise<FetchedBody> {
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
    return { status: res.status, contentType, disposition, body: Buffer.alloc(0) };
  }
  return { status: res.status, contentType, disposition, body: await readLimited(res, limits.maxBytes) };
}

function pick(headers: Record<string, string>, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => names.includes(k.toLowerCase())));
}

async function readLimited(res: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw nonRetryable(STEP_FAILURE.tooLarge, `document is ${declared} bytes, more than the ${maxBytes} allowed`);
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body) {
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
