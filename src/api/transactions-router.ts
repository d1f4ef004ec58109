import express from 'express';
import type { Logger } from '../platform/logger';
import { describeIssues } from '../providers/provider';
import { describeTemporalError, grpcCode, grpcCodeName, isTemporalOutage } from '../temporal/temporal-errors';
import { getState, registerTransaction, type TransactionContext } from '../temporal/transactions';
import { decideHeldFinal, retryFailedSteps } from '../temporal/operator';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { PayloadDecryptionError, UnknownEncryptionKeyError } from '../encryption/payload-codec';
import { apiAuth } from './api-auth';
import { unknownSteps } from './known-steps';
import { listTransactionsQueryFor } from './list-query';
import { InvalidCursorError, listTransactions } from '../temporal/transaction-list';
import { heldDecisionBody, registerTransactionBodyFor } from './transaction-schemas';
import type { ProviderRegistry } from '../providers/registry';

export interface TransactionsRouterDeps {
  transactions: TransactionContext;
  /** The configured providers: what a registration or a list may name. */
  providers: ProviderRegistry;
  /** Their named accounts (docs/accounts.md): what a registration's `account` may name. */
  accounts?: Record<string, readonly string[]>;
  apiToken: string | undefined;
  logger: Logger;
  /**
   * Every step a worker of this deployment runs (built-in and user activities). Given, a plan
   * naming another is refused with 400; absent (a receiver process that cannot know the
   * workers' activities), any name is accepted.
   */
  knownSteps?: readonly string[];
  /** See `AppDeps.registrationTimeoutMs`. */
  registrationTimeoutMs?: number;
}

/**
 * A Temporal failure, logged with its cause. Only an outage is "retry later" (503); Temporal
 * refusing the request (a missing search attribute, a denied API key) is a 500 that names
 * the request, so whoever reads the log finds the cause.
 */
function temporalFailed(
  deps: TransactionsRouterDeps,
  res: express.Response,
  err: unknown,
  message: string,
  extra: Record<string, unknown> = {},
) {
  const requestId = res.locals.requestId as string | undefined;
  const code = grpcCodeName(grpcCode(err));
  deps.logger.error({ requestId, err: describeTemporalError(err), code, ...extra }, message);
  if (isTemporalOutage(err)) return res.status(503).json({ error: 'Temporal unavailable, retry later' });
  return res.status(500).json({
    error: `Temporal refused the request (${code}); the server log has the cause`,
    ...(requestId && { requestId }),
  });
}

/** An operator's request the transaction refused (409, its reason), or one for no transaction (404). */
function operatorFailed(deps: TransactionsRouterDeps, res: express.Response, err: unknown, message: string) {
  if (err instanceof WorkflowNotFoundError) return res.status(404).json({ error: 'unknown or closed transaction' });
  if (err instanceof WorkflowUpdateFailedError)
    return res.status(409).json({ error: err.cause?.message ?? err.message });
  return temporalFailed(deps, res, err, message);
}

/** The application API: `POST /transactions`, `GET /transactions` (a page of the latest), `GET /transactions/{workflowId}`. */
export function createTransactionsRouter(deps: TransactionsRouterDeps): express.Router {
  const router = express.Router();
  const known = deps.knownSteps && new Set(deps.knownSteps);
  const registerTransactionBody = registerTransactionBodyFor(deps.providers, deps.accounts ?? {});
  const listTransactionsQuery = listTransactionsQueryFor(deps.providers);
  router.use('/transactions', apiAuth(deps.apiToken), express.json({ limit: '64kb' }));

  router.post('/transactions', async (req, res) => {
    // express.json leaves the body undefined for any other content type (curl -d sends a form).
    if (req.body === undefined)
      return res.status(400).json({
        error: 'invalid request',
        detail: '(body): expected a JSON object sent with content-type: application/json',
      });
    const parsed = registerTransactionBody.safeParse(req.body);
    if (!parsed.success)
      return res.status(400).json({ error: 'invalid request', detail: describeIssues(parsed.error.issues, req.body) });
    if (known) {
      const unknown = unknownSteps(parsed.data.steps, known);
      if (unknown.length > 0) {
        return res
          .status(400)
          .json({ error: 'invalid request', detail: `${unknown.join('; ')} (known: ${[...known].join(', ')})` });
      }
    }
    const { provider, kind, externalId, account, ...registration } = parsed.data;
    const ref = { provider, kind, externalId, ...(account && { account }) };
    try {
      // An application waiting on this answer must get one: without a deadline the update to a
      // running transaction waits for as long as no worker polls its queue.
      const { workflowId, created } = await deps.transactions.client.withDeadline(
        Date.now() + (deps.registrationTimeoutMs ?? 10_000),
        () => registerTransaction(deps.transactions, ref, registration),
      );
      res.locals.workflowId = workflowId;
      deps.logger.info({ requestId: res.locals.requestId, workflowId, created }, 'transaction registered');
      return res.status(created ? 201 : 200).json({ workflowId });
    } catch (err) {
      return temporalFailed(deps, res, err, 'could not register transaction', { provider, kind });
    }
  });

  router.get('/transactions', async (req, res) => {
    const parsed = listTransactionsQuery.safeParse(req.query);
    if (!parsed.success)
      return res.status(400).json({ error: 'invalid query', detail: describeIssues(parsed.error.issues, req.query) });
    const { open, ...filter } = parsed.data;
    try {
      return res.json(await listTransactions(deps.transactions.client, { ...filter, open: open === 'true' }));
    } catch (err) {
      if (err instanceof InvalidCursorError)
        return res.status(400).json({ error: 'invalid query', detail: err.message });
      deps.logger.error(
        { requestId: res.locals.requestId, err: (err as Error).message },
        'listing transactions failed',
      );
      return res.status(503).json({ error: 'Temporal unavailable, retry later' });
    }
  });

  router.get('/transactions/:workflowId', async (req, res) => {
    try {
      const state = await getState(deps.transactions.client, req.params.workflowId);
      if (!state) return res.status(404).json({ error: 'unknown transaction' });
      return res.json(state);
    } catch (err) {
      // Not Temporal's fault, and no retry helps: the message names the missing key id.
      if (err instanceof UnknownEncryptionKeyError || err instanceof PayloadDecryptionError) {
        deps.logger.error({ requestId: res.locals.requestId, err: (err as Error).message }, 'state query failed');
        return res.status(500).json({ error: 'cannot decrypt the transaction', detail: err.message });
      }
      return temporalFailed(deps, res, err, 'state query failed');
    }
  });

  // Operators settle a held final by hand: who and why go into the transaction's history.
  router.post('/transactions/:workflowId/held-final', async (req, res) => {
    const parsed = heldDecisionBody.safeParse(req.body);
    if (!parsed.success)
      return res.status(400).json({ error: 'invalid request', detail: describeIssues(parsed.error.issues, req.body) });
    try {
      const { status } = await deps.transactions.client.withDeadline(Date.now() + 10_000, () =>
        decideHeldFinal(deps.transactions.client, req.params.workflowId, parsed.data),
      );
      deps.logger.warn(
        { requestId: res.locals.requestId, workflowId: req.params.workflowId, decision: parsed.data.decision, status },
        'held final settled by an operator',
      );
      return res.json({ status });
    } catch (err) {
      return operatorFailed(deps, res, err, 'could not settle the held final');
    }
  });

  router.post('/transactions/:workflowId/retry-steps', async (req, res) => {
    try {
      const result = await deps.transactions.client.withDeadline(Date.now() + 10_000, () =>
        retryFailedSteps(deps.transactions, req.params.workflowId),
      );
      if (result.retrying.length === 0) return res.status(409).json({ error: 'no post-signing step failed' });
      deps.logger.info(
        { requestId: res.locals.requestId, workflowId: req.params.workflowId, ...result },
        'retrying failed steps',
      );
      return res.json(result);
    } catch (err) {
      return operatorFailed(deps, res, err, 'could not retry the failed steps');
    }
  });

  // express.json's own errors (bad JSON, too large) answered plainly.
  router.use('/transactions', ((err, _req, res, next) => {
    const status = (err as { status?: number }).status;
    if (status === 400 || status === 413 || status === 415)
      return res.status(status).json({ error: (err as Error).message });
    next(err);
  }) as express.ErrorRequestHandler);
  return router;
}
