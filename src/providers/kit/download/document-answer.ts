// What a document endpoint answered, as files. Portal de Assinaturas' `document/package`
// answers JSON with the content in base64 `bytes` (docs/providers.md); a raw PDF (or zip) answer is
// accepted too, as Signhost's file endpoint gives and as a proxy in front of either may.
import { STEP_FAILURE, nonRetryable } from './failures';
import { dispositionFileName, readLimited, type FetchedBody, type OpenedAnswer } from './http';
import type { Spool, SpooledFile } from './spool';

/** A document: in memory (decoded from a JSON answer) or already on disk (a raw answer). */
export type DocumentContent = {
  /** The name the provider gave, if any (made safe before it touches the disk). */
  name?: string;
} & ({ content: Buffer; spooled?: undefined } | { spooled: SpooledFile; content?: undefined });

const isRaw = (head: string, contentType: string, looksJson: boolean) =>
  head.startsWith('%PDF-') || (!looksJson && RAW_TYPES.test(contentType));
const looksLikeJson = (head: string, contentType: string) =>
  /json/i.test(contentType) || head.startsWith('{') || head.startsWith('[');

async function* prepend(first: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (first.byteLength > 0) yield first;
  yield* rest;
}

/**
 * The documents of an answer still being read: a raw file goes to the spool as it arrives; a
 * JSON answer (base64 inside) has to be whole to be parsed, so it is read into memory, within
 * `maxBytes` like the rest.
 */
export async function readDocuments(
  answer: OpenedAnswer,
  what: string,
  spool: Spool,
  maxBytes: number,
): Promise<DocumentContent[]> {
  if (!answer.body) throw nonRetryable(STEP_FAILURE.badResponse, `${what} answered an empty document`);
  const chunks = answer.body[Symbol.asyncIterator]();
  const rest: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => chunks };
  // Enough of the start to tell a PDF or JSON from anything else.
  const start: Uint8Array[] = [];
  let read = 0;
  while (read < 64) {
    const next = await chunks.next();
    if (next.done) break;
    start.push(next.value);
    read += next.value.byteLength;
  }
  const first = Buffer.concat(start);
  const head = first.subarray(0, 64).toString('latin1').trimStart();
  const looksJson = looksLikeJson(head, answer.contentType);
  if (isRaw(head, answer.contentType, looksJson)) {
    if (first.length === 0) throw nonRetryable(STEP_FAILURE.badResponse, `${what} answered an empty document`);
    return [{ name: dispositionFileName(answer.disposition), spooled: await spool(prepend(first, rest)) }];
  }
  if (!looksJson) {
    await chunks.return?.();
    throw nonRetryable(
      STEP_FAILURE.badResponse,
      `${what} answered ${answer.contentType || 'no content type'}, not a document`,
    );
  }
  const body = await readLimited(rest, maxBytes, first);
  return documentsFromAnswer(
    { status: answer.status, contentType: answer.contentType, disposition: answer.disposition, body },
    what,
  );
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const RAW_TYPES = /^(application\/(pdf|octet-stream|zip|x-zip-compressed|pkcs7-mime)|binary\/octet-stream)/i;

export function documentsFromAnswer(answer: FetchedBody, what: string): DocumentContent[] {
  const head = answer.body.subarray(0, 64).toString('latin1').trimStart();
  const looksJson = looksLikeJson(head, answer.contentType);
  if (isRaw(head, answer.contentType, looksJson)) {
    if (answer.body.length === 0) throw nonRetryable(STEP_FAILURE.badResponse, `${what} answered an empty document`);
    return [{ name: dispositionFileName(answer.disposition), content: answer.body }];
  }
  if (!looksJson)
    throw nonRetryable(
      STEP_FAILURE.badResponse,
      `${what} answered ${answer.contentType || 'no content type'}, not a document`,
    );
  let json: unknown;
  try {
    json = JSON.parse(answer.body.toString('utf8'));
  } catch {
    throw nonRetryable(STEP_FAILURE.badResponse, `${what} answered malformed JSON`);
  }
  const found = collect(json, 0);
  if (found.length === 0)
    throw nonRetryable(STEP_FAILURE.badResponse, `${what} answered JSON with no base64 \`bytes\``);
  return found;
}

const field = (o: Record<string, unknown>, ...names: string[]) => {
  const key = Object.keys(o).find((k) => names.includes(k.toLowerCase()));
  return key === undefined ? undefined : o[key];
};

/** Objects holding a base64 `bytes` (any casing), at the top or nested a little. */
function collect(value: unknown, depth: number): DocumentContent[] {
  if (depth > 3 || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v) => collect(v, depth + 1));
  const o = value as Record<string, unknown>;
  const bytes = field(o, 'bytes');
  if (typeof bytes === 'string') {
    const compact = bytes.replace(/\s+/g, '');
    if (compact.length === 0 || !BASE64.test(compact))
      throw nonRetryable(STEP_FAILURE.badResponse, '`bytes` is not base64');
    const name = field(o, 'filename', 'name');
    return [
      {
        ...(typeof name === 'string' && { name }),
        content: Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64'),
      },
    ];
  }
  return Object.values(o).flatMap((v) => collect(v, depth + 1));
}
