import express from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Logger } from '../platform/logger';
import type { Metrics } from '../platform/metrics';
import { countNeedingAttention } from '../temporal/attention';
import { buildOpenApiDocument } from '../api/openapi';
import { requestLog } from '../api/request-log';
import { createTransactionsRouter } from '../api/transactions-router';
import { createCallbackReceiver } from '../receivers/callback-receiver';
import type { Provider } from '../providers/provider';
import { createAccountReceivers } from '../providers';
import { apiAuth } from '../api/api-auth';
import { RecentlyAccepted } from '../receivers/recently-accepted';
import { RefusalLog } from '../receivers/refusal-log';
import { createCodecRouter } from '../api/codec-router';
import { EncryptionCodec } from '../encryption/payload-codec';
import { TransactionRateLimit } from '../receivers/transaction-rate-limit';
import { createMatcher } from '../providers/kit/address-allowlist';
import { checkTemporalReadiness, describeProblems, readinessTarget } from '../temporal/readiness';
import { describeTemporalError } from '../temporal/temporal-errors';
import { tracingFor } from '../tracing/temporal';
import { registerReportedProblemsGauge } from '../temporal/reported-problems';

export interface AppDeps {
  config: Config;
  client: Client;
  providers: Provider[];
  logger: Logger;
  metrics: Metrics;
  /** How long a receiver waits for Temporal before answering 503 (default 8 s; tests shorten it). */
  deliveryTimeoutMs?: number;
  /**
   * How long `POST /transactions` waits before answering 503 (default 10 s): registering a
   * transaction that already runs needs a worker to answer, and none may be polling.
   */
  registrationTimeoutMs?: number;
  /** Steps the workers run; given, registrations naming another are refused (400). */
  knownSteps?: readonly string[];
}

const READINESS_CACHE_MS = 30_000;

/** The HTTP server: receivers, application API, health and metrics. Built from its dependencies so tests run the real thing. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // 0 hops: req.ip is the socket address, and X-Forwarded-For is ignored. Otherwise a hop's
  // forwarded address is believed only from a configured proxy: a sender reaching the port
  // directly keeps its own address, whatever X-Forwarded-For it writes.
  const { trustProxyHops, trustedProxies } = deps.config.http;
  const isProxy = createMatcher(trustedProxies);
  app.set(
    'trust proxy',
    trustProxyHops === 0 ? false : (address: string, hop: number) => hop < trustProxyHops && isProxy(address),
  );
  const transactions = { client: deps.client, taskQueue: deps.config.temporal.taskQueue, engine: deps.config.engine };
  const refusals = new RefusalLog();
  // First: a callback is answered before express's router sees it (see callback-receiver.ts).
  app.use(
    createCallbackReceiver({
      providers: [...deps.providers, ...createAccountReceivers(deps.config)],
      transactions,
      logger: deps.logger,
      metrics: deps.metrics,
      bodyLimit: deps.config.http.bodyLimit,
      refusals,
      deliveryTimeoutMs: deps.deliveryTimeoutMs,
      tracer: tracingFor(deps.config)?.provider.getTracer('countersign'),
      floodControl: {
        recent: new RecentlyAccepted(deps.config.floodControl.dedupe),
        rate: new TransactionRateLimit(deps.config.floodControl.rate),
      },
    }),
  );

  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  const target = readinessTarget(deps.config.temporal);
  // A good answer about the namespace and search attributes holds for a while (they are not
  // removed in normal operation); a bad one is asked again on every probe, so the fix shows.
  let configuredUntil = 0;
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.client.withDeadline(Date.now() + 2000, () => deps.client.workflowService.getSystemInfo({}));
    } catch (err) {
      deps.logger.warn({ err: describeTemporalError(err) }, 'readiness: Temporal not reachable');
      return res.status(503).json({ status: 'unavailable', detail: 'Temporal not reachable' });
    }
    if (Date.now() < configuredUntil) return res.json({ status: 'ready' });
    try {
      const report = await deps.client.withDeadline(Date.now() + 2000, () =>
        checkTemporalReadiness(deps.client.connection, target),
      );
      if (report.problems.length > 0) {
        const detail = describeProblems(target, report.problems);
        deps.logger.error({ problems: report.problems.map((p) => p.problem) }, detail);
        return res.status(503).json({ status: 'misconfigured', detail, problems: report.problems });
      }
      configuredUntil = Date.now() + READINESS_CACHE_MS;
      return res.json({ status: 'ready' });
    } catch (err) {
      deps.logger.warn({ err: describeTemporalError(err) }, 'readiness: namespace check failed');
      return res.status(503).json({ status: 'unavailable', detail: 'Temporal did not answer the namespace check' });
    }
  });
  // Stuck workflows as the Temporal server reports them, cluster-wide (reported-problems.ts).
  registerReportedProblemsGauge(deps.metrics.registry, deps.client);
  // Metrics reveal traffic per provider and refusal reasons: the token's (or this host's) only.
  // The worker role serves them on its own port, which is not published.
  app.get('/metrics', apiAuth(deps.config.http.apiToken), async (_req, res) => {
    await countNeedingAttention(deps.client, deps.metrics).catch((err: unknown) =>
      deps.logger.warn({ err: describeTemporalError(err) }, 'metrics: could not count transactions needing attention'),
    );
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  const openApi = buildOpenApiDocument(deps.config.providerModules, deps.providers);
  app.get('/openapi.json', (_req, res) => res.json(openApi));

  // Operators: recent refused callbacks with their reason (`countersign refused`).
  app.get('/operator/refused', apiAuth(deps.config.http.apiToken), (req, res) => {
    const limit = Math.min(Number(req.query.limit) || 100, 500);
    res.json({ refused: refusals.list(limit) });
  });
  // The Web UI's codec server: only with a token and keys (without keys there is nothing to decode).
  if (deps.config.codec.token && deps.config.encryption.keys.length > 0) {
    app.use(
      createCodecRouter({
        codec: new EncryptionCodec(deps.config.encryption.keys),
        token: deps.config.codec.token,
        origins: deps.config.codec.origins,
        logger: deps.logger,
      }),
    );
  }
  app.use('/transactions', requestLog(deps.logger, deps.metrics, '/transactions'));
  app.use(
    createTransactionsRouter({
      transactions,
      providers: deps.config.providerModules,
      accounts: Object.fromEntries(
        Object.entries(deps.config.accounts).map(([provider, byAccount]) => [provider, Object.keys(byAccount)]),
      ),
      apiToken: deps.config.http.apiToken,
      logger: deps.logger,
      knownSteps: deps.knownSteps,
      registrationTimeoutMs: deps.registrationTimeoutMs,
    }),
  );
  app.use((_req, res) => res.status(404).json({ error: 'not found' }));
  return app;
}
