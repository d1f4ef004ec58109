// Portal de Assinaturas: the signed document named by a callback's `apiDownload` link, fetched
// from the configured API's `document/package?key=…` with the API token (`Token` header).
import type { TransactionState } from '../../common/types';
import { readDocuments, type DocumentContent } from '../kit/download/document-answer';
import { STEP_FAILURE, httpFailure, nonRetryable } from '../kit/download/failures';
import { openLimited, type FetchLimits } from '../kit/download/http';
import type { Spool } from '../kit/download/spool';

export interface PortalDownloadSettings {
  apiUrl: string;
  token?: string;
}

/** The latest `apiDownload` the transaction holds, the FLOW (signed) event's first. */
export function downloadLink(tx: TransactionState): string | undefined {
  const withLink = [...tx.events]
    .reverse()
    .filter((e) => typeof e.details?.apiDownload === 'string' && e.details.apiDownload.trim() !== '');
  const chosen = withLink.find((e) => e.type === 'signed') ?? withLink[0];
  return chosen?.details?.apiDownload as string | undefined;
}

/** Document keys as the provider issues them (16 hex characters in its sample); nothing else. */
const DOCUMENT_KEY = /^[A-Za-z0-9_-]{1,100}$/;

/** The document key an `apiDownload` link names, or undefined. Nothing else of it is used. */
export function documentKey(apiDownload: string): string | undefined {
  let key: string | undefined;
  try {
    // The sample link has `includeOriginal;=false`, an escaping slip.
    const given = new URL(apiDownload.trim().replace(/;=/g, '='));
    const keys = [...given.searchParams].filter(([k]) => k.toLowerCase() === 'key').map(([, v]) => v);
    // Two keys: which one a server would read is anyone's guess.
    key = keys.length === 1 ? keys[0] : undefined;
  } catch {
    key = undefined;
  }
  return key !== undefined && DOCUMENT_KEY.test(key) ? key : undefined;
}

/**
 * The URL to fetch: always the configured API's documented `document/package`, with the key
 * the callback named. The link itself arrives in a callback, so it never chooses the host, the
 * path or any other parameter of a request that carries the API token.
 */
export function packageUrl(apiDownload: string, apiUrl: string): URL | undefined {
  const key = documentKey(apiDownload);
  if (!key) return undefined;
  const url = new URL('document/package', new URL(apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`));
  url.searchParams.set('key', key);
  return url;
}

export async function portalDocuments(
  tx: TransactionState,
  settings: PortalDownloadSettings,
  limits: FetchLimits,
  spool: Spool,
): Promise<DocumentContent[]> {
  if (!settings.token) throw nonRetryable(STEP_FAILURE.notConfigured, 'PORTAL_DE_ASSINATURAS_TOKEN is not set');
  const link = downloadLink(tx);
  if (!link) throw nonRetryable(STEP_FAILURE.noDocumentLink, 'no callback of this document carried apiDownload');
  const url = packageUrl(link, settings.apiUrl);
  if (!url) throw nonRetryable(STEP_FAILURE.noDocumentLink, 'apiDownload holds no document key');
  const answer = await openLimited(
    url,
    { token: settings.token, accept: 'application/json, application/pdf;q=0.9, */*;q=0.1' },
    limits,
  );
  if (answer.status < 200 || answer.status >= 300)
    throw httpFailure(answer.status, 'Portal de Assinaturas document/package');
  return readDocuments(answer, 'Portal de Assinaturas document/package', spool, limits.maxBytes);
}
