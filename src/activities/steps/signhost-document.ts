// Signhost: each signed file of a transaction, `GET {api}/transaction/{id}/file/{fileId}`,
// with the application key and the user's API key (providers §1e).
import type { TransactionState } from '../../shared/types';
import { documentsFromAnswer, type DocumentContent } from './document-answer';
import { STEP_FAILURE, httpFailure, nonRetryable } from './failures';
import { fetchLimited, type FetchLimits } from './http';

export interface SignhostDownloadSettings {
  apiUrl: string;
  appKey?: string;
  apiKey?: string;
}

const withScheme = (scheme: string, value: string) => (value.toLowerCase().startsWith(`${scheme.toLowerCase()} `) ? value : `${scheme} ${value}`);

/** File ids the postbacks named: the signed status's `Files`, then files signers opened (105). */
export function knownFileIds(tx: TransactionState): string[] {
  const ids = new Set<string>();
  const signed = [...tx.events].reverse().find((e) => e.key === 'status:30' && Array.isArray(e.details?.fileIds));
  for (const id of (signed?.details?.fileIds as unknown[] | undefined) ?? []) if (typeof id === 'string') ids.add(id);
  if (ids.size === 0) {
    for (const e of tx.events) if (typeof e.details?.fileId === 'string') ids.add(e.details.fileId);
  }
  return [...ids];
}

export async function signhostDocuments(tx: TransactionState, settings: SignhostDownloadSettings, limits: FetchLimits): Promise<DocumentContent[]> {
  if (!settings.appKey || !settings.apiKey) throw nonRetryable(STEP_FAILURE.notConfigured, 'SIGNHOST_APP_KEY and SIGNHOST_API_KEY must be set');
  const headers = {
    application: withScheme('APPKey', settings.appKey),
    authorization: withScheme('APIKey', settings.apiKey),
  };
  const base = `${settings.apiUrl.replace(/\/+$/, '')}/transaction/${encodeURIComponent(tx.externalId)}`;
  const fileIds = knownFileIds(tx);
  if (fileIds.length === 0) fileIds.push(...(await fileIdsFromApi(base, headers, limits)));
  if (fileIds.length === 0) throw nonRetryable(STEP_FAILURE.noDocumentLink, 'the transaction lists no files');

  const documents: DocumentContent[] = [];
  for (const fileId of fileIds) {
    const answer = await fetchLimited(new URL(`${base}/file/${encodeURIComponent(fileId)}`), { ...headers, accept: 'application/pdf' }, limits);
    if (answer.status === 410) throw nonRetryable(STEP_FAILURE.gone, 'Signhost answered 410: the transaction was cleaned up');
    if (answer.status < 200 || answer.status >= 300) throw httpFailure(answer.status, 'Signhost file download');
    // Signhost's own name is the file id the application chose; its Content-Disposition may differ.
    documents.push(...documentsFromAnswer(answer, 'Signhost file download').map((d) => ({ ...d, name: fileId })));
  }
  return documents;
}

/** No postback named the files (e.g. the signed status came from a poll): ask the transaction. */
async function fileIdsFromApi(base: string, headers: Record<string, string>, limits: FetchLimits): Promise<string[]> {
  const answer = await fetchLimited(new URL(base), { ...headers, accept: 'application/json' }, { ...limits, maxBytes: Math.min(limits.maxBytes, 5_000_000) });
  if (answer.status === 410) throw nonRetryable(STEP_FAILURE.gone, 'Signhost answered 410: the transaction was cleaned up');
  if (answer.status < 200 || answer.status >= 300) throw httpFailure(answer.status, 'Signhost transaction');
  try {
    const files = (JSON.parse(answer.body.toString('utf8')) as { Files?: unknown }).Files;
    return files && typeof files === 'object' && !Array.isArray(files) ? Object.keys(files).filter((k) => k.length > 0 && k.length <= 200) : [];
  } catch {
    throw nonRetryable(STEP_FAILURE.badResponse, 'Signhost transaction answer is not JSON');
  }
}
