// Built-in post-signing step `downloadSignedDocument`: fetches the signed document from the
// provider and stores it under `{documentsDir}/{provider}/{folder for externalId}/{file}`. Also an
// example of a step: an activity that takes a StepInput and returns a small, JSON-plain result
// (it lands in the workflow's state).
import { log } from '@temporalio/activity';
import type { ProviderName, StepInput, TransactionState } from '../../shared/types';
import type { DocumentContent } from './document-answer';
import { STEP_FAILURE, nonRetryable } from './failures';
import type { FetchLimits } from './http';
import { portalDocuments, type PortalDownloadSettings } from './portal-document';
import { signhostDocuments, type SignhostDownloadSettings } from './signhost-document';
import { fileNameFor, storageFolder, writeAtomically, type StoredFile } from './storage';

export interface DownloadDeps {
  /** Storage folder (COUNTERSIGN_DOCUMENTS_DIR). */
  documentsDir: string;
  portal: PortalDownloadSettings;
  signhost: SignhostDownloadSettings;
  /** Per request; default 60 s. */
  timeoutMs?: number;
  /** Largest document accepted; default 100 MB. */
  maxBytes?: number;
}

export interface DownloadResult {
  files: StoredFile[];
}

type Fetcher = (tx: TransactionState, deps: DownloadDeps, limits: FetchLimits) => Promise<DocumentContent[]>;

const FETCHERS: Partial<Record<ProviderName, Fetcher>> = {
  'portal-de-assinaturas': (tx, deps, limits) => portalDocuments(tx, deps.portal, limits),
  signhost: (tx, deps, limits) => signhostDocuments(tx, deps.signhost, limits),
};

export function createDownloadSignedDocument(deps: DownloadDeps) {
  const limits: FetchLimits = { timeoutMs: deps.timeoutMs ?? 60_000, maxBytes: deps.maxBytes ?? 100 * 1024 * 1024 };

  return async function downloadSignedDocument(input: StepInput): Promise<DownloadResult> {
    const tx = input.transaction;
    const fetcher = tx.kind === 'signing' ? FETCHERS[tx.provider] : undefined;
    if (!fetcher) {
      throw nonRetryable(
        STEP_FAILURE.unsupportedProvider,
        `downloadSignedDocument supports ${Object.keys(FETCHERS).join(' and ')} signing transactions, not ${tx.provider} ${tx.kind}`,
      );
    }
    if (tx.status !== 'signed') throw nonRetryable(STEP_FAILURE.notSigned, `the transaction ended ${tx.status}: there is no signed document`);

    const documents = await fetcher(tx, deps, limits);
    const used = new Set<string>();
    const files: StoredFile[] = [];
    for (const [i, doc] of documents.entries()) {
      let name = fileNameFor(doc.name, doc.content, documents.length > 1 ? `signed-${i + 1}` : 'signed');
      // Two documents with one name would overwrite each other.
      if (used.has(name)) name = fileNameFor(`${i + 1}-${name}`, doc.content, 'signed');
      used.add(name);
      files.push(await writeAtomically(deps.documentsDir, [tx.provider, storageFolder(tx.externalId), name], doc.content));
    }
    // Counts only: file names may be a person's name.
    log.info('signed document stored', { workflowId: tx.workflowId, files: files.length, bytes: files.reduce((n, f) => n + f.bytes, 0) });
    return { files };
  };
}
