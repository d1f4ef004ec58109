// The load generator, a process of its own: it posts callbacks to the receivers over HTTP, or
// sends the very same signals straight to Temporal (the raw baseline, the receivers' own
// client call), registers open transactions, and plays the providers' APIs (the simulators).
import { NativeConnection } from '@temporalio/worker';
import { workflowIdFor } from '../../src/common/ids';
import { loadConfig } from '../../src/config';
import { createProviders } from '../../src/providers';
import { PortalDeAssinaturasSimulator } from '../../src/providers/portal-de-assinaturas/simulator';
import { SignhostSimulator } from '../../src/providers/signhost/simulator';
import { SignicatSimulator } from '../../src/providers/signicat/simulator';
import { startSimulators, type RunningSimulators } from '../../src/simulators';
import { temporalConnectionOptions } from '../../src/temporal/connection-options';
import { engineClient } from '../../src/temporal/engine-client';
import { registerTransaction, signalWithStart } from '../../src/temporal/transactions';
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
  /** Answers by HTTP status (receivers) or outcome (raw). */
  outcomes: Record<string, number>;
  elapsedMs: number;
  /** Each answer's time, ms. */
  samples: number[];
  /** Where the last accepted callbacks went: the run's work is done once none has a task pending. */
  lastWorkflowIds: string[];
}

const config = loadConfig();
const providers = createProviders(config);
let receivers = '';
let simulators: RunningSimulators | undefined;
let transactions: Parameters<typeof registerTransaction>[0];
/** Enough to span a small cluster's history shards, few enough to ask about often. */
const LAST = 8;

async function send(via: Via, cb: ReturnType<typeof planCallbacks>[number]): Promise<string> {
  try {
    if (via === 'receivers') return String(await postCallback(receivers, cb));
    // A closed transaction refuses a new run, as it does for the receivers.
    return (await signalWithStart(transactions, cb.ref, cb.events, cb.dossierId)) === 'late' ? 'late' : '200';
  } catch (err) {
    return (err as Error).name || 'error';
  }
}

/** `n` lanes each taking the next item until `more` says stop, with a progress line every 5 s. */
async function lanes(label: string, total: number, n: number, take: () => Promise<void> | undefined) {
  let done = 0;
  const timer = setInterval(() => reportProgress(`${label}: ${done}/${total}`), 5000);
  const lane = async () => {
    for (let t = take(); t; t = take()) await t.then(() => void done++);
  };
  await Promise.all(Array.from({ length: n }, lane)).finally(() => clearInterval(timer));
}

/** Open loop at `rate`, or closed loop of `concurrency` clients; `maxMs` bounds a closed loop. */
async function callbacks(p: { via: Via; load: Load; plan: Plan; label: string; maxMs?: number }): Promise<LoadResult> {
  const items = planCallbacks(providers, p.plan);
  const samples: number[] = [];
  const outcomes: Record<string, number> = {};
  const last: string[] = [];
  const one = async (cb: (typeof items)[number]) => {
    const t = performance.now();
    const outcome = await send(p.via, cb);
    samples.push(performance.now() - t);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (outcome.startsWith('2')) last.unshift(workflowIdFor(cb.ref));
    last.length = Math.min(last.length, LAST);
  };
  const t0 = performance.now();
  let next = 0;
  if ('rate' in p.load) {
    // Each callback at its time, whether or not the earlier ones were answered.
    const inflight: Array<Promise<void>> = [];
    for (const rate = p.load.rate; next < items.length; await new Promise((r) => setTimeout(r, 1)))
      while (next < Math.min(items.length, ((performance.now() - t0) * rate) / 1000 + 1))
        inflight.push(one(items[next++]));
    await Promise.all(inflight);
  } else {
    const until = t0 + (p.maxMs ?? Infinity);
    const take = () => (next < items.length && performance.now() < until ? one(items[next++]) : undefined);
    await lanes(p.label, items.length, p.load.concurrency, take);
  }
  return { outcomes, elapsedMs: performance.now() - t0, samples, lastWorkflowIds: [...new Set(last)] };
}

/** Registers transactions `from`…`to - 1` as `POST /transactions` does, each waiting on its deadline. */
async function start(p: { prefix: string; from: number; to: number; concurrency: number; deadlineAfterMs: number }) {
  const deadlines: number[] = [];
  const t0 = performance.now();
  let next = p.from;
  const register = async (i: number) => {
    const [provider, externalId] = [providerFor(i), externalIdFor(p.prefix, i)];
    const deadline = Date.now() + p.deadlineAfterMs;
    // The provider knows the transaction, so the last poll at its deadline finds it pending.
    const sim = simulators?.simulators[provider];
    if (sim instanceof SignhostSimulator) sim.createTransaction({ Id: externalId });
    else if (sim instanceof PortalDeAssinaturasSimulator) sim.createDocument({ documentId: externalId });
    else if (sim instanceof SignicatSimulator)
      sim.createProcess({ processId: externalId, dossierId: `dossier-${externalId}` });
    // No follow-up before the deadline: each transaction only waits on its timer.
    const options = { deadline: new Date(deadline).toISOString(), followUp: { firstAfter: '30 days' } };
    const dossier = provider === 'signicat' ? { dossierId: `dossier-${externalId}` } : {};
    await registerTransaction(transactions, { provider, kind: 'signing', externalId }, { ...options, ...dossier });
    deadlines.push(deadline);
  };
  await lanes(`starting ${p.from}…${p.to}`, p.to - p.from, p.concurrency, () =>
    next < p.to ? register(next++) : undefined,
  );
  return { elapsedMs: performance.now() - t0, deadlines };
}

async function main() {
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const client = engineClient(connection, config);
  transactions = { client, taskQueue: config.temporal.taskQueue, engine: config.engine };
  serve(
    {
      setReceivers: (url: string) => void (receivers = url),
      callbacks,
      start,
      async simulators() {
        // Only their status APIs are called (by the engine's polls): no callback URL of use.
        const credentials = providerApiCredentials();
        simulators = await startSimulators({ countersignUrl: 'http://127.0.0.1:9', credentials, env: {} });
        return simulators.apiUrls;
      },
      cpuMs: () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      },
    },
    async () => {
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
