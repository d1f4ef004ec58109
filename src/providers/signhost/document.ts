// Signhost: each signed file of a transaction, `GET {api}/transaction/{id}/file/{fileId}`,
// with the application key and the user's API key. Which files exist is asked of the API: a
// postback's `Files` is not covered by its checksum, so it never picks what is fetched.
import { log } from '@temporalio/activity';
import type { TransactionState } from '../../common/types';
import { readDocuments, type DocumentContent } from '../kit/download/document-answer';
import { STEP_FAILURE, httpFailure, nonRetryable } from '../kit/download/failures';
import { fetchLimited, openLimited, type FetchLimits } from '../kit/download/http';
import type { Spool } from '../kit/download/spool';

export interface SignhostDownloadSettings {
  apiUrl: string;
  appKey?: string;
  apiKey?: string;
}

const withScheme = (scheme: string, value: string) =>
  value.toLowerCase().startsWith(`${scheme.toLowerCase()} `) ? value : `${scheme} ${value}`;

/**
 * Whether an id can be one path segment. `.` and `..` cannot, even escaped: URL parsing reads
 * `%2E%2E` as `..` too and the request would climb out of the transaction.
 */
export function isPathSafeId(id: string): boolean {
  return id.length > 0 && id.length <= 200 && !/^(\.|%2e){1,2}$/i.test(id) && !/[\u0000-\u001f\u007f]/.test(id);
}

/** `{fileId}` as one path segment: every reserved character escaped. */
export const fileSegment = (id: string) =>
  encodeURIComponent(id).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export async function signhostDocuments(
  tx: TransactionState,
  settings: SignhostDownloadSettings,
  limits: FetchLimits,
  spool: Spool,
): Promise<DocumentContent[]> {
  if (!settings.appKey || !settings.apiKey)
    throw nonRetryable(STEP_FAILURE.notConfigured, 'SIGNHOST_APP_KEY and SIGNHOST_API_KEY must be set');
  const headers = {
    application: withScheme('APPKey', settings.appKey),
    authorization: withScheme('APIKey', settings.apiKey),
  };
  if (!isPathSafeId(tx.externalId))
    throw nonRetryable(STEP_FAILURE.noDocumentLink, 'the transaction id cannot name a Signhost transaction');
  const base = `${settings.apiUrl.replace(/\/+$/, '')}/transaction/${fileSegment(tx.externalId)}`;
  const listed = await fileIdsFromApi(base, headers, limits);
  const fileIds = listed.filter(isPathSafeId);
  if (fileIds.length < listed.length)
    log.warn('Signhost file ids that cannot be a path segment skipped', {
      workflowId: tx.workflowId,
      skipped: listed.length - fileIds.length,
    });
  if (fileIds.length === 0) throw nonRetryable(STEP_FAILURE.noDocumentLink, 'the transaction lists no files');

  const documents: DocumentContent[] = [];
  for (const fileId of fileIds) {
    const answer = await openLimited(
      new URL(`${base}/file/${fileSegment(fileId)}`),
      { ...headers, accept: 'application/pdf' },
      limits,
    );
    if (answer.status === 410)
      throw nonRetryable(STEP_FAILURE.gone, 'Signhost answered 410: the transaction was cleaned up');
    if (answer.status < 200 || answer.status >= 300) throw httpFailure(answer.status, 'Signhost file download');
    // Signhost's own name is the file id the application chose; its Content-Disposition may differ.
    documents.push(
      ...(await readDocuments(answer, 'Signhost file download', spool, limits.maxBytes)).map((d) => ({
        ...d,
        name: fileId,
      })),
    );
  }
  return documents;
}

/** The transaction's `Files` keys, from the API. */
async function fileIdsFromApi(base: string, headers: Record<string, string>, limits: FetchLimits): Promise<string[]> {
  const answer = await fetchLimited(
    new URL(base),
    { ...headers, accept: 'application/json' },
    { ...limits, maxBytes: Math.min(limits.maxBytes, 5_000_000) },
  );
  if (answer.status === 410)
    throw nonRetryable(STEP_FAILURE.gone, 'Signhost answered 410: the transaction was cleaned up');
  if (answer.status < 200 || answer.status >= 300) throw httpFailure(answer.status, 'Signhost transaction');
  try {
    const files = (JSON.parse(answer.body.toString('utf8')) as { Files?: unknown }).Files;
    return files && typeof files === 'object' && !Array.isArray(files)
      ? Object.keys(files).filter((k) => k.length > 0 && k.length <= 200)
      : [];
  } catch {
    throw nonRetryable(STEP_FAILURE.badResponse, 'Signhost transaction answer is not JSON');
  }
}
