import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    answerSeconds: new Histogram({
      name: 'countersign_callback_answer_seconds',
      help: 'Time from receiving a callback to answering it',
      labelNames: ['provider', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
