import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process. Labels never carry ids or personal data. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'countersign_process_' });
  return {
    registry,
    callbacksReceived: new Counter({
      name: 'countersign_callbacks_received_total',
      help: 'Provider callbacks received',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    callbacksAccepted: new Counter({
      name: 'countersign_callbacks_accepted_total',
      help: 'Callbacks durably handed to Temporal, by delivery (accepted, late, ignored)',
      labelNames: ['provider', 'delivery'] as const,
      registers: [registry],
    }),
    callbacksRefused: new Counter({
      name: 'countersign_callbacks_refused_total',
      help: 'Callbacks refused, by reason',
      labelNames: ['provider', 'reason'] as const,
      registers: [registry],
    }),
    // Zero for long enough after a rotation: the provider signs with the new secret only, and
    // the `_PREVIOUS` variable can go (docs/secret-rotation.md).
    callbacksPreviousSecret: new Counter({
      name: 'countersign_callbacks_previous_secret_total',
      help: 'Callbacks that authenticated with a secret being retired (a `_PREVIOUS` variable), by provider and account',
      labelNames: ['provider', 'account'] as const,
      registers: [registry],
    }),
    answerSeconds: new Histogram({
      name: 'countersign_callback_answer_seconds',
      help: 'Time from receiving a callback to answering it',
      labelNames: ['provider', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    callbacksLate: new Counter({
      name: 'countersign_callbacks_late_total',
      help: 'Callbacks about a transaction whose workflow had already closed (kept as late records)',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    // Whether signal-with-start created the workflow is not reported back by Temporal, so
    // this counts the callbacks allowed to create one; the Web UI's
    // `SigningStatus = "unregistered"` lists the ones that did.
    callbacksMayCreate: new Counter({
      name: 'countersign_callbacks_may_create_total',
      help: 'Authenticated callbacks delivered with signal-with-start (they start an unregistered transaction when the application has not registered it)',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    callbacksDeduplicated: new Counter({
      name: 'countersign_callbacks_deduplicated_total',
      help: 'Callbacks answered 2xx without a signal: every event already accepted recently (recent) or being accepted by an identical callback (in-flight)',
      labelNames: ['provider', 'source'] as const,
      registers: [registry],
    }),
    workflowTaskFailures: new Counter({
      name: 'countersign_workflow_task_failures_total',
      help: 'Workflow tasks that failed on this worker (the workflow is stuck until a fix is deployed), by workflow type',
      labelNames: ['workflow_type'] as const,
      registers: [registry],
    }),
    workerRestarts: new Counter({
      name: 'countersign_worker_restarts_total',
      help: 'Times `npm start` restarted its worker process after it died',
      registers: [registry],
    }),
    followUps: new Counter({
      name: 'countersign_follow_ups_total',
      help: 'Follow-ups of silent transactions (status polls, re-notify requests), by method and outcome',
      labelNames: ['provider', 'method', 'outcome'] as const,
      registers: [registry],
    }),
    heldFinalChecks: new Counter({
      name: 'countersign_held_final_checks_total',
      help: "Checks of the provider's API for a final status held for confirmation, by outcome (news: it answered; error: it failed and the check is retried on its schedule)",
      labelNames: ['provider', 'outcome'] as const,
      registers: [registry],
    }),
    needingAttention: new Gauge({
      name: 'countersign_transactions_needing_attention',
      help: "Open transactions that want a person, by reason (held-final: waiting for the provider's confirmation; step-failed: a post-signing step failed for good), counted by visibility when scraped",
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    apiRequests: new Histogram({
      name: 'countersign_api_request_seconds',
      help: 'Application API requests, by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

/** How a follow-up asked (`none`: the provider has none; `unknown`: it failed before saying). */
export type FollowUpMethod = 'poll' | 'notify' | 'none' | 'unknown';
/** `news`: it brought events; `no-news`: it asked and learned nothing new. */
export type FollowUpOutcome = 'news' | 'no-news' | 'unsupported' | 'error';

export type Metrics = ReturnType<typeof createMetrics>;
