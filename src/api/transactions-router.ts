import express from 'express';
import type { Logger } from '../logger';
import { describeIssues } from '../providers/provider';
import { describeTemporalError, grpcCode, grpcCodeName, isTemporalOutage } from '../temporal/temporal-errors';
import { getState, registerTransaction, type TransactionContext } from '../temporal/transactions';
import { apiAuth } from './api-auth';
import { registerTransactionBody } from './transaction-schemas';

export interface TransactionsRouterDeps {
  transactions: TransactionContext;
  apiToken: string | undefined;
  logger: Logger;
}

/**
 * A Temporal failure, logged with its cause. Only an outage is "retry later" (503); Temporal
 * refusing the request (a missing search attribute, a denied API key) is a 500 that names
 * the request, so whoever reads the log finds the cause.
 */
function temporalFailed(deps: TransactionsRouterDeps, res: express.Response, err: unknown, message: string, extra: Record<string, unknown> = {}) {
  const requestId = res.locals.requestId as string | undefined;
  const code = grpcCodeName(grpcCode(err));
  deps.logger.error({ requestId, err: describeTemporalError(err), code, ...extra }, message);
  if (isTemporalOutage(err)) return res.status(503).json({ error: 'Temporal unavailable, retry later' });
  return res.status(500).json({ error: `Temporal refused the request (${code}); the server log has the cause`, ...(requestId && { requestId }) });
}

/** The application API: `POST /transactions`, `GET /transactions/{workflowId}`. */
export function createTransactionsRouter(deps: TransactionsRouterDeps): express.Router {
  const router = express.Router();
  router.use('/transactions', apiAuth(deps.apiToken), express.json({ limit: '64kb' }));

  router.post('/transactions', async (req, res) => {
    const parsed = registerTransactionBody.safeParse(req.body);
    if (!parsed.success) return res.status(400).json({ error: 'invalid request', detail: describeIssues(parsed.error.issues) });
    const { provider, kind, externalId, ...registration } = parsed.data;
    try {
      const { workflowId, created } = await registerTransaction(deps.transactions, { provider, kind, externalId }, registration);
      res.locals.workflowId = workflowId;
      deps.logger.info({ requestId: res.locals.requestId, workflowId, created }, 'transaction registered');
      return res.status(created ? 201 : 200).json({ workflowId });
    } catch (err) {
      return temporalFailed(deps, res, err, 'could not register transaction', { provider, kind });
    }
  });

  router.get('/transactions/:workflowId', async (req, res) => {
    try {
      const state = await getState(deps.transactions.client, req.params.workflowId);
      if (!state) return res.status(404).json({ error: 'unknown transaction' });
      return res.json(state);
    } catch (err) {
      return temporalFailed(deps, res, err, 'state query failed');
    }
  });

  // express.json's own errors (bad JSON, too large) answered plainly.
  router.use('/transactions', ((err, _req, res, next) => {
    const status = (err as { status?: number }).status;
    if (status === 400 || status === 413 || status === 415) return res.status(status).json({ error: (err as Error).message });
    next(err);
  }) as express.ErrorRequestHandler);
  return router;
}
