// The load generator, a process of its own: it posts callbacks to the receivers over HTTP, or
// sends the very same signals straight to Temporal (the raw baseline, the receivers' own
// client call), registers open transactions, and plays the providers' APIs (the simulators).
import { NativeConnection } from '@temporalio/worker';
import { Agent } from 'node:http';
import { workflowIdFor } from '../../src/common/ids';
import { loadConfig } from '../../src/config';
import { createProviders } from '../../src/providers';
import { startSimulators, type RunningSimulators } from '../../src/simulators';
import { temporalConnectionOptions } from '../../src/temporal/connection-options';
import { engineClient } from '../../src/temporal/engine-client';
import { registerTransaction, signalWithStart } from '../../src/temporal/transactions';
import { summarize, type Latency } from '../stats';
import {
  externalIdFor,
  planCallbacks,
  postCallback,
  providerApiCredentials,
  providerFor,
  type Plan,
} from './callbacks';
import { announceReady, reportProgress, serve } from './rpc';

export type Via = 'receivers' | 'raw';
export type Load = { rate: number } | { concurrency: number };

export interface LoadResult {
  callbacks: number;
  ok: number;
  /** Answers by HTTP status (receivers) or outcome (raw). */
  outcomes: Record<string, number>;
  elapsedMs: number;
  latency: Latency;
  samples: number[];
  /** The workflows the last accepted callbacks went to: the run's work is done once none has a task pending. */
  lastWorkflowIds: string[];
}

const config = loadConfig();
const providers = createProviders(config);
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
let receivers: URL | undefined;
let simulators: RunningSimulators | undefined;
let transactions: Parameters<typeof registerTransaction>[0];
/** Enough to span a small cluster's history shards, few enough to ask about often. */
const LAST = 8;

async function send(via: Via, cb: ReturnType<typeof planCallbacks>[number]): Promise<string> {
  try {
    if (via === 'receivers') return String(await postCallback(agent, receivers!, cb));
    // A closed transaction refuses a new run, as it does for the receivers.
    return (await signalWithStart(transactions, cb.ref, cb.events, cb.dossierId)) === 'late' ? 'late' : '200';
  } catch (err) {
    return (err as Error).name || 'error';
  }
}

function ticker(label: string, total: number, done: () => number): () => void {
  const timer = setInterval(() => reportProgress(`${label}: ${done()}/${total}`), 5000);
  return () => clearInterval(timer);
}

/** `maxMs` bounds a closed loop: the plan is then an upper bound. */
async function callbacks(p: { via: Via; load: Load; plan: Plan; label: string; maxMs?: number }): Promise<LoadResult> {
  const items = planCallbacks(providers, p.plan);
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  const last: string[] = [];
  let next = 0;
  const one = async (cb: (typeof items)[number]) => {
    const t = performance.now();
    const outcome = await send(p.via, cb);
    latencies.push(performance.now() - t);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (outcome.startsWith('2')) last.push(workflowIdFor(cb.ref));
    if (last.length > LAST) last.shift();
  };
  const stop = ticker(p.label, items.length, () => latencies.length);
  const t0 = performance.now();
  if ('rate' in p.load) {
    // Open loop: each callback at its time, whether or not the earlier ones were answered.
    const rate = p.load.rate;
    const inflight: Array<Promise<void>> = [];
    while (next < items.length) {
      const due = Math.min(items.length, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      while (next < due) inflight.push(one(items[next++]));
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(inflight);
  } else {
    const until = t0 + (p.maxMs ?? Infinity);
    const client = async () => {
      while (next < items.length && performance.now() < until) await one(items[next++]);
    };
    await Promise.all(Array.from({ length: p.load.concurrency }, client));
  }
  stop();
  const ok = Object.entries(outcomes).reduce((n, [k, v]) => (k.startsWith('2') ? n + v : n), 0);
  const lastWorkflowIds = [...new Set(last.reverse())];
  return {
    callbacks: latencies.length,
    ok,
    outcomes,
    elapsedMs: performance.now() - t0,
    latency: summarize(latencies),
    samples: latencies,
    lastWorkflowIds,
  };
}

/** Registers transactions `from`…`to - 1` as `POST /transactions` does, each waiting on its deadline. */
async function start(p: { prefix: string; from: number; to: number; concurrency: number; deadlineAfterMs: number }) {
  const latencies: number[] = [];
  const deadlines: number[] = [];
  let next = p.from;
  const stop = ticker(`starting ${p.from}…${p.to}`, p.to - p.from, () => latencies.length);
  const t0 = performance.now();
  const worker = async () => {
    while (next < p.to) {
      const i = next++;
      const provider = providerFor(i);
      const externalId = externalIdFor(p.prefix, i);
      const deadline = Date.now() + p.deadlineAfterMs;
      // The provider knows the transaction, so the last poll at its deadline finds it pending.
      if (provider === 'signhost') simulators?.signhost.createTransaction({ Id: externalId });
      else if (provider === 'signicat')
        simulators?.signicat.createProcess({ processId: externalId, dossierId: `dossier-${externalId}` });
      else simulators?.portal.createDocument({ documentId: externalId });
      const t = performance.now();
      await registerTransaction(
        transactions,
        { provider, kind: 'signing', externalId },
        {
          deadline: new Date(deadline).toISOString(),
          // No follow-up before the deadline: each transaction only waits on its timer.
          followUp: { firstAfter: '30 days' },
          ...(provider === 'signicat' && { dossierId: `dossier-${externalId}` }),
        },
      );
      latencies.push(performance.now() - t);
      deadlines.push(deadline);
    }
  };
  await Promise.all(Array.from({ length: p.concurrency }, worker));
  stop();
  return { elapsedMs: performance.now() - t0, latencies, deadlines };
}

async function main() {
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  transactions = {
    client: engineClient(connection, config),
    taskQueue: config.temporal.taskQueue,
    engine: config.engine,
  };
  serve(
    {
      setReceivers: (url: string) => void (receivers = new URL(url)),
      callbacks,
      start,
      async simulators() {
        // Only their status APIs are called (by the engine's polls): no callback URL of use.
        simulators = await startSimulators({
          countersignUrl: 'http://127.0.0.1:9',
          credentials: providerApiCredentials(),
          env: {},
        });
        return simulators.apiUrls;
      },
      cpuMs: () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      },
    },
    async () => {
      agent.destroy();
      await simulators?.close();
      await connection.close();
    },
  );
  announceReady({ pid: process.pid });
}

main().catch((err) => {
  console.error('bench load generator failed:', err);
  process.exit(1);
});
