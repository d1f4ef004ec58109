// Example post-signing step written by a user: when a contract ends, update the deal in the
// company's CRM. Countersign runs it durably, with the retry policy the step plan gives it.
//
//   CRM_URL=https://crm.example.com/api CRM_TOKEN=... \
//   COUNTERSIGN_ACTIVITIES_MODULE=examples/update-crm.ts npm start
//
// and register transactions with `"reference": "<deal id>"` and
// `"steps": {"onSigned": ["updateCrm"], "onRejected": ["updateCrm"]}`.
import { ApplicationFailure, log } from '@temporalio/activity';
import type { StepInput } from '../src';

export interface CrmSettings {
  /** Base URL of the CRM's API. */
  url: string;
  token?: string;
}

export interface CrmUpdate {
  deal: string;
  status: number;
}

export function createCrmActivities(settings: CrmSettings) {
  return {
    /** PATCH /deals/{reference}: the signature outcome, keyed by what the application registered. */
    async updateCrm({ transaction: tx }: StepInput): Promise<CrmUpdate> {
      // Business outcomes are non-retryable: retrying will not invent a deal id.
      if (!tx.reference) {
        throw ApplicationFailure.create({
          type: 'NoDealReference',
          message: 'register the transaction with the deal id as `reference`',
          nonRetryable: true,
        });
      }
      const res = await fetch(`${settings.url.replace(/\/+$/, '')}/deals/${encodeURIComponent(tx.reference)}`, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/json',
          ...(settings.token && { authorization: `Bearer ${settings.token}` }),
          // The step may run more than once (a retry after a lost answer): let the CRM dedupe.
          'idempotency-key': `${tx.workflowId}:${tx.status}`,
        },
        // Only what the CRM needs: no signer names or documents leave Countersign here.
        body: JSON.stringify({
          signatureStatus: tx.status,
          signatureProvider: tx.provider,
          signatureUpdatedAt: tx.updatedAt,
          countersignWorkflowId: tx.workflowId,
        }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status === 404) {
        throw ApplicationFailure.create({
          type: 'DealNotFound',
          message: `the CRM has no deal ${tx.reference}`,
          nonRetryable: true,
        });
      }
      // Anything else that is not 2xx is thrown as a plain error: the step's retry policy retries it.
      if (!res.ok) throw new Error(`CRM answered HTTP ${res.status}`);
      log.info('CRM updated', { workflowId: tx.workflowId, status: tx.status });
      return { deal: tx.reference, status: res.status };
    },
  };
}

/** What COUNTERSIGN_ACTIVITIES_MODULE calls: the CRM's settings come from the user's own env. */
export function createActivities() {
  const url = process.env.CRM_URL;
  if (!url) throw new Error('CRM_URL is not set');
  return createCrmActivities({ url, token: process.env.CRM_TOKEN });
}
