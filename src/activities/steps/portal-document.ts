// Portal de Assinaturas: the signed document behind a callback's `apiDownload` link
// (`document/package?key=…`, providers §4a), fetched with the API token (`Token` header, §4c).
import type { TransactionState } from '../../shared/types';
import { documentsFromAnswer, type DocumentContent } from './document-answer';
import { STEP_FAILURE, httpFailure, nonRetryable } from './failures';
import { fetchLimited, type FetchLimits } from './http';

export interface PortalDownloadSettings {
  apiUrl: string;
  token?: string;
}

/** The latest `apiDownload` the transaction holds, the FLOW (signed) event's first. */
export function downloadLink(tx: TransactionState): string | undefined {
  const withLink = [...tx.events].reverse().filter((e) => typeof e.details?.apiDownload === 'string' && e.details.apiDownload.trim() !== '');
  const chosen = withLink.find((e) => e.type === 'signed') ?? withLink[0];
  return chosen?.details?.apiDownload as string | undefined;
}

/**
 * The URL to fetch. The link arrives in a callback, so the token is sent only to the configured
 * API's own host: a link elsewhere is reduced to its `key` on the configured API. The seed's
 * sample link has `includeOriginal;=false`, an escaping slip, read as `includeOriginal=false`.
 */
export function packageUrl(apiDownload: string, apiUrl: string): URL | undefined {
  const base = new URL(apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
  let given: URL | undefined;
  try {
    given = new URL(apiDownload.trim().replace(/;=/g, '='));
  } catch {
    given = undefined;
  }
  if (given && given.origin === base.origin) return given;
  const key = given ? [...given.searchParams].find(([k]) => k.toLowerCase() === 'key')?.[1] : /[?&]key=([^&#;]+)/i.exec(apiDownload)?.[1];
  if (!key || !/^[A-Za-z0-9_-]{1,200}$/.test(key)) return undefined;
  const url = new URL('document/package', base);
  url.searchParams.set('key', key);
  return url;
}

export async function portalDocuments(tx: TransactionState, settings: PortalDownloadSettings, limits: FetchLimits): Promise<DocumentContent[]> {
  if (!settings.token) throw nonRetryable(STEP_FAILURE.notConfigured, 'PORTAL_DE_ASSINATURAS_TOKEN is not set');
  const link = downloadLink(tx);
  if (!link) throw nonRetryable(STEP_FAILURE.noDocumentLink, 'no callback of this document carried apiDownload');
  const url = packageUrl(link, settings.apiUrl);
  if (!url) throw nonRetryable(STEP_FAILURE.noDocumentLink, 'apiDownload holds no document key');
  const answer = await fetchLimited(url, { token: settings.token, accept: 'application/json, application/pdf;q=0.9, */*;q=0.1' }, limits);
  if (answer.status < 200 || answer.status >= 300) throw httpFailure(answer.status, 'Portal de Assinaturas document/package');
  return documentsFromAnswer(answer, 'Portal de Assinaturas document/package');
}
