// The load generator: its own process (forked by the orchestrator), so it never competes with
// the system under test for an event loop. It sends callbacks over HTTP to the receivers, or
// the very same signals straight to Temporal with @temporalio/client (the limit), and
// measures what comes back.
import { Connection, type Client, type ConnectionLike } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { Agent } from 'node:http';
import { loadConfig } from '../src/config';
import { createProviders } from '../src/providers';
import { workflowIdFor } from '../src/common/ids';
import { stateQuery } from '../src/common/messages';
import { startSimulators, type RunningSimulators } from '../src/simulators';
import { registerTransaction, signalWithStart } from '../src/temporal/transactions';
import {
  callbackRequest,
  externalIdFor,
  providerApiCredentials,
  planItems,
  postCallback,
  providerFor,
  withEvents,
  type BenchCallback,
  type Plan,
} from './callbacks';
import { announceReady, reportProgress, serve } from './rpc';
import { summarize, type LatencySummary } from './stats';
import { engineClient } from '../src/temporal/engine-client';

export type Via = 'receivers' | 'raw';
export type Load = { rate: number } | { concurrency: number };

export interface LoadResult {
  via: Via;
  load: Load;
  callbacks: number;
  signals: number;
  ok: number;
  failed: number;
  /** HTTP status (receivers) or error name (raw) → count. */
  outcomes: Record<string, number>;
  elapsedMs: number;
  callbacksPerSec: number;
  signalsPerSec: number;
  latency: LatencySummary;
  /** Every answer time, ms, so runs can be merged (dropped from the written results). */
  samples?: number[];
  /** Open loop only: how late the generator sent its most delayed request. */
  maxSendLagMs?: number;
  /**
   * The workflows the last accepted callbacks went to, last first: once none of them has a
   * workflow task pending, the run's tasks are done (see `drained` in measure.ts).
   */
  lastWorkflowIds?: string[];
}

export interface E2eResult {
  /** The first callback of a transaction: the workflow is created by it. */
  created: LatencySummary;
  /** A later callback, to a running workflow. */
  running: LatencySummary;
  queriesPerSample: number;
  queryErrors: number;
}

export interface StartResult {
  started: number;
  created: number;
  elapsedMs: number;
  perSec: number;
  /** Each start's answer time, ms. */
  latencies: number[];
  /** Each transaction's deadline, epoch ms. */
  deadlines: number[];
}

const config = loadConfig();
const providers = createProviders(config);
const taskQueue = config.temporal.taskQueue;
let client: Client;
let connection: ConnectionLike;
let receiversUrl: URL | undefined;
const agent = new Agent({ keepAlive: true, maxSockets: 512 });

const post = (cb: BenchCallback) => postCallback(agent, receiversUrl!, cb);
/** Enough to span the history shards of a small cluster, few enough to ask about often. */
const LAST_WORKFLOWS = 8;

/** What the receivers' Temporal delivery does for an authenticated callback, minus HTTP and parsing. */
async function signalRaw(cb: BenchCallback): Promise<'accepted' | 'late'> {
  return signalWithStart({ client, taskQueue, engine: config.engine }, cb.ref, cb.events, cb.dossierId);
}

/** Sends one callback; resolves to an outcome label and whether it counts as accepted. */
async function send(via: Via, cb: BenchCallback): Promise<[string, boolean]> {
  try {
    if (via === 'receivers') {
      const status = await post(cb);
      return [String(status), status >= 200 && status < 300];
    }
    // A closed transaction refuses a second run, as it does for the receivers.
    return (await signalRaw(cb)) === 'late' ? ['already-closed', false] : ['ok', true];
  } catch (err) {
    return [(err as Error).name || 'error', false];
  }
}

function ticker(label: string, total: number, done: () => number) {
  const t0 = performance.now();
  let last = 0;
  let lastAt = t0;
  const timer = setInterval(() => {
    const now = performance.now();
    const d = done();
    reportProgress(`${label}: ${d}/${total} sent+answered, ${(((d - last) * 1000) / (now - lastAt)).toFixed(0)}/s now`);
    last = d;
    lastAt = now;
  }, 2000);
  return () => clearInterval(timer);
}

/** `maxMs` (closed loop): stop taking new callbacks after this long; the plan is then an upper bound. */
async function runCallbacks(params: {
  via: Via;
  load: Load;
  plan: Plan;
  label: string;
  maxMs?: number;
}): Promise<LoadResult> {
  const items = planItems(params.plan).map((it) =>
    withEvents(providers, callbackRequest(it.provider, it.externalId, it.stage)),
  );
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let ok = 0;
  let done = 0;
  let maxLag = 0;
  const last: BenchCallback[] = [];
  const one = async (cb: BenchCallback) => {
    const t = performance.now();
    const [outcome, accepted] = await send(params.via, cb);
    latencies.push(performance.now() - t);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (accepted) {
      ok++;
      last.push(cb);
      if (last.length > LAST_WORKFLOWS) last.shift();
    }
    done++;
  };
  const stop = ticker(params.label, items.length, () => done);
  const t0 = performance.now();
  if ('rate' in params.load) {
    const rate = params.load.rate;
    const inflight: Array<Promise<void>> = [];
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        const due = Math.min(items.length, Math.floor(((now - t0) * rate) / 1000) + 1);
        while (next < due) {
          maxLag = Math.max(maxLag, now - (t0 + (next * 1000) / rate));
          inflight.push(one(items[next++]));
        }
        if (next < items.length) setTimeout(tick, 1);
        else resolve();
      };
      tick();
    });
    await Promise.all(inflight);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: params.load.concurrency }, async () => {
        const until = t0 + (params.maxMs ?? Infinity);
        while (next < items.length && performance.now() < until) await one(items[next++]);
      }),
    );
  }
  const elapsedMs = performance.now() - t0;
  stop();
  const sent = items.slice(0, done);
  const signals = sent.reduce((a, cb) => a + cb.events.length, 0);
  return {
    via: params.via,
    load: params.load,
    callbacks: done,
    signals,
    ok,
    failed: done - ok,
    outcomes,
    elapsedMs,
    callbacksPerSec: (ok * 1000) / elapsedMs,
    signalsPerSec: (signals * (ok / Math.max(1, done)) * 1000) / elapsedMs,
    latency: summarize(latencies),
    samples: latencies,
    ...('rate' in params.load && { maxSendLagMs: maxLag }),
    lastWorkflowIds: [...new Set(last.reverse().map((cb) => workflowIdFor(cb.ref)))],
  };
}

/** Queries `state` until it holds the event, as fast as the round trips allow. */
async function timeUntilVisible(
  workflowId: string,
  key: string,
  counters: { queries: number; errors: number },
): Promise<number> {
  const t0 = performance.now();
  const handle = client.workflow.getHandle(workflowId);
  for (;;) {
    counters.queries++;
    try {
      const state = await handle.query(stateQuery);
      if (state.events.some((e) => e.key === key)) return performance.now() - t0;
    } catch {
      // Not queryable yet (the first workflow task has not run): ask again.
      counters.errors++;
    }
    if (performance.now() - t0 > 30_000) throw new Error(`${workflowId}: ${key} not visible after 30 s`);
  }
}

/** `maxMs`: stop taking new samples after this long (to stay inside a background run). */
async function runE2e(params: {
  prefix: string;
  samples: number;
  concurrency: number;
  maxMs?: number;
}): Promise<E2eResult> {
  const created: number[] = [];
  const running: number[] = [];
  const counters = { queries: 0, errors: 0 };
  let next = 0;
  const stop = ticker('end to end', params.samples, () => created.length);
  const until = performance.now() + (params.maxMs ?? Infinity);
  await Promise.all(
    Array.from({ length: params.concurrency }, async () => {
      while (next < params.samples && performance.now() < until) {
        const i = next++;
        const externalId = externalIdFor(params.prefix, i);
        for (const stage of ['progress', 'final'] as const) {
          const cb = withEvents(providers, callbackRequest(providerFor(i), externalId, stage));
          const status = await post(cb);
          if (status < 200 || status >= 300) throw new Error(`end-to-end callback answered ${status}`);
          const key = cb.events[cb.events.length - 1].key;
          (stage === 'progress' ? created : running).push(await timeUntilVisible(workflowIdFor(cb.ref), key, counters));
        }
      }
    }),
  );
  stop();
  return {
    created: summarize(created),
    running: summarize(running),
    queriesPerSample: counters.queries / (created.length + running.length),
    queryErrors: counters.errors,
  };
}

/**
 * Registers transactions `from` … `to - 1` the way the application API does, each with a
 * deadline `deadlineAfterMs` after its own start and no follow-up before it: an open
 * transaction waiting on its timer.
 */
async function startTransactions(params: {
  prefix: string;
  from: number;
  to: number;
  concurrency: number;
  deadlineAfterMs: number;
}): Promise<StartResult> {
  const latencies: number[] = [];
  const deadlines: number[] = [];
  let created = 0;
  let next = params.from;
  const stop = ticker(`starting ${params.from}…${params.to}`, params.to - params.from, () => latencies.length);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: params.concurrency }, async () => {
      while (next < params.to) {
        const i = next++;
        const provider = providerFor(i);
        const externalId = externalIdFor(params.prefix, i);
        const deadline = Date.now() + params.deadlineAfterMs;
        providerKnows(provider, externalId);
        const t = performance.now();
        const result = await registerTransaction(
          { client, taskQueue, engine: config.engine },
          { provider, kind: 'signing', externalId },
          {
            deadline: new Date(deadline).toISOString(),
            followUp: { firstAfter: '30 days' },
            reference: `bench ${i}`,
            ...(provider === 'signicat' && { dossierId: `dossier-${externalId}` }),
          },
        );
        latencies.push(performance.now() - t);
        deadlines.push(deadline);
        if (result.created) created++;
      }
    }),
  );
  const elapsedMs = performance.now() - t0;
  stop();
  return {
    started: latencies.length,
    created,
    elapsedMs,
    perSec: (latencies.length * 1000) / elapsedMs,
    latencies,
    deadlines,
  };
}

/** The providers' side, for the polls Countersign makes (the final one at each deadline). */
let simulators: RunningSimulators | undefined;

async function startProviderSimulators(): Promise<RunningSimulators['apiUrls']> {
  // Only their status APIs are used: the bench sends callbacks itself, so no callback URL.
  simulators = await startSimulators({
    countersignUrl: 'http://127.0.0.1:9',
    credentials: providerApiCredentials(),
    env: {},
  });
  return simulators.apiUrls;
}

/** A transaction the provider knows, so a poll finds it pending, as it would in life. */
function providerKnows(provider: string, externalId: string): void {
  if (!simulators) return;
  if (provider === 'signhost') simulators.signhost.createTransaction({ Id: externalId });
  else if (provider === 'signicat')
    simulators.signicat.createProcess({ processId: externalId, dossierId: `dossier-${externalId}` });
  else if (provider === 'portal-de-assinaturas') simulators.portal.createDocument({ documentId: externalId });
  else simulators.evrotrust.createTransaction({ transactionID: externalId });
}

async function main() {
  // The raw baseline uses the kind of connection Countersign's client does (BENCH_CLIENT_CONNECTION).
  connection =
    process.env.BENCH_CLIENT_CONNECTION === 'grpc-js'
      ? await Connection.connect({ address: config.temporal.address! })
      : await NativeConnection.connect({ address: config.temporal.address! });
  client = engineClient(connection, config);
  serve(
    {
      setReceivers(url: string) {
        receiversUrl = new URL(url);
      },
      callbacks: runCallbacks,
      e2e: runE2e,
      start: startTransactions,
      simulators: startProviderSimulators,
      cpu() {
        const u = process.cpuUsage();
        return { atMs: performance.now(), cpuMs: (u.user + u.system) / 1000 };
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
