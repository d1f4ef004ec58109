// Built-in post-signing step `downloadSignedDocument`: fetches the signed document from the
// provider and stores it under `{documentsDir}/{provider}/{folder for externalId}/{file}`. Also an
// example of a step: an activity that takes a StepInput and returns a small, JSON-plain result
// (it lands in the workflow's state).
import { join } from 'node:path';
import { log } from '@temporalio/activity';
import type { DocumentFetcher } from '../../providers/module';
import type { StepInput } from '../../common/types';
import { STEP_FAILURE, nonRetryable } from '../../providers/kit/download/failures';
import type { FetchLimits } from '../../providers/kit/download/http';
import { createSpool } from '../../providers/kit/download/spool';
import { fileNameFor, placeAtomically, storageFolder, writeAtomically, type StoredFile } from './storage';

export interface DownloadDeps {
  /** Storage folder (COUNTERSIGN_DOCUMENTS_DIR). */
  documentsDir: string;
  /** Per provider that offers its signed documents (its module's `documents`). */
  fetchers: Record<string, DocumentFetcher>;
  /** Per request; default 60 s. */
  timeoutMs?: number;
  /** Largest document accepted; default 100 MB. */
  maxBytes?: number;
}

export interface DownloadResult {
  files: StoredFile[];
}

/** Downloads in progress, beside the stored documents (one file system, so a rename publishes). */
const INCOMING = '.incoming';

export function createDownloadSignedDocument(deps: DownloadDeps) {
  const limits: FetchLimits = { timeoutMs: deps.timeoutMs ?? 60_000, maxBytes: deps.maxBytes ?? 100 * 1024 * 1024 };

  return async function downloadSignedDocument(input: StepInput): Promise<DownloadResult> {
    const tx = input.transaction;
    const fetcher =
      tx.kind === 'signing' && Object.hasOwn(deps.fetchers, tx.provider) ? deps.fetchers[tx.provider] : undefined;
    if (!fetcher) {
      throw nonRetryable(
        STEP_FAILURE.unsupportedProvider,
        `downloadSignedDocument supports ${Object.keys(deps.fetchers).join(' and ') || 'no'} signing transactions, not ${tx.provider} ${tx.kind}`,
      );
    }
    if (tx.status !== 'signed')
      throw nonRetryable(STEP_FAILURE.notSigned, `the transaction ended ${tx.status}: there is no signed document`);

    const spool = createSpool(join(deps.documentsDir, INCOMING), limits.maxBytes);
    const files: StoredFile[] = [];
    try {
      const documents = await fetcher(tx, limits, spool.write);
      const used = new Set<string>();
      for (const [i, doc] of documents.entries()) {
        const head = doc.content ?? doc.spooled.head;
        let name = fileNameFor(doc.name, head, documents.length > 1 ? `signed-${i + 1}` : 'signed');
        // Two documents with one name would overwrite each other.
        if (used.has(name)) name = fileNameFor(`${i + 1}-${name}`, head, 'signed');
        used.add(name);
        const segments = [tx.provider, storageFolder(tx.externalId), name];
        files.push(
          doc.content
            ? await writeAtomically(deps.documentsDir, segments, doc.content)
            : await placeAtomically(deps.documentsDir, segments, doc.spooled),
        );
      }
    } finally {
      await spool.discard();
    }
    // Counts only: file names may be a person's name.
    log.info('signed document stored', {
      workflowId: tx.workflowId,
      files: files.length,
      bytes: files.reduce((n, f) => n + f.bytes, 0),
    });
    return { files };
  };
}
