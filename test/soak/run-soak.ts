// `npm run soak`: every provider's callbacks at a steady rate on loopback, against a real dev
// server (its own SQLite file) and a worker in its own process, with faults injected: the
// worker killed (SIGKILL) and replaced, a burst of garbage, Temporal stopped and restarted;
// duplicated and reordered deliveries throughout. Senders retry what was not answered 2xx, as
// providers do. At the end every callback answered 2xx must show in its workflow.
//   SOAK_SECONDS=180 SOAK_RATE=25 npm run soak
import { Connection } from '@temporalio/client';
import { engineClient } from '../../src/temporal/engine-client';
import { newKeyEntry } from '../../src/encryption/keys';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProviders } from '../../src/providers';
import type { TransactionState } from '../../src/common/types';
import { startDevServer, type DevServer } from '../../src/app/dev-server';
import { startApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { send } from '../helpers/http';
import { freePort } from '../helpers/ports';
import { eventKeys, SECRETS, type ProviderSpec } from '../helpers/provider-specs';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { garbage, transactionPlan, type Delivery } from './traffic';

export interface SoakOptions {
  /** How long callbacks are sent at the steady rate. */
  seconds: number;
  /** Requests per second, retries included. */
  rate: number;
  /** Longest wait for the last retries once sending stops. */
  drainSeconds?: number;
  garbageBurst?: number;
  log?: (line: string) => void;
}

export interface SoakResult {
  seconds: number;
  rate: number;
  requests: number;
  transactions: number;
  workflows: number;
  /** Valid callbacks answered 2xx (each delivery counted, duplicates included). */
  accepted: number;
  /** Of those, the ones whose every event shows in their workflow's state. */
  reflected: number;
  missing: Array<{ workflowId: string; keys: string[] }>;
  /** Non-2xx answers to valid requests, retried: by status (`error` = no answer). */
  retried: Record<string, number>;
  registrations: number;
  garbage: { sent: number; answers: Record<string, number> };
  /** countersign_callbacks_accepted_total at the end: must equal `accepted`. */
  acceptedMetric: number;
  refusedMetric: number;
  faults: string[];
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => undefined);
  let started = Date.now();
  const at = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const faults: string[] = [];
  const fault = (what: string) => {
    faults.push(`${at()} ${what}`);
    log(`[soak ${at()}] ${what}`);
  };

  const dataDir = mkdtempSync(join(tmpdir(), 'countersign-soak-'));
  // The soak always runs its own dev server (it restarts it), whatever cluster the tests target.
  const namespace = 'default';
  const serverOptions = { port: await freePort(), uiPort: await freePort(), dataDir, namespace };
  let server: DevServer = await startDevServer(serverOptions);
  const connection = await Connection.connect({ address: server.address });
  const keys = newKeyEntry('soak');
  const config = testConfig(
    { ...SECRETS, COUNTERSIGN_ENCRYPTION_KEYS: keys, TEMPORAL_NAMESPACE: namespace },
    `soak-${Date.now().toString(36)}`,
  );
  const client = engineClient(connection, config);
  const providers = createProviders(config);
  const workerEnv = {
    ...SECRETS,
    COUNTERSIGN_ENCRYPTION_KEYS: keys,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
  };
  let worker: WorkerProcess = await startWorkerProcess(workerEnv);
  const app = await startApp(config, client, undefined, { deliveryTimeoutMs: 2_000 });
  // The clock of the run starts once everything is up.
  started = Date.now();

  const queue: Delivery[] = [];
  const inflight = new Set<Promise<void>>();
  const acceptedDeliveries: Array<{ workflowId: string; keys: string[] }> = [];
  const targets: Array<{ spec: ProviderSpec; externalId: string }> = [];
  const retried: Record<string, number> = {};
  const latencies: number[] = [];
  let requests = 0;
  let transactions = 0;
  let registrations = 0;
  const garbageAnswers: Record<string, number> = {};
  let garbageSent = 0;

  const track = (p: Promise<void>) => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };

  async function deliver(d: Delivery) {
    requests++;
    const t0 = Date.now();
    let status: number | 'error';
    try {
      status = (await send(app.url, d.request)).status;
    } catch {
      status = 'error';
    }
    if (typeof status === 'number' && status >= 200 && status < 300) {
      if (d.kind === 'register') {
        registrations++;
        return;
      }
      latencies.push(Date.now() - t0);
      acceptedDeliveries.push({ workflowId: d.workflowId, keys: eventKeys(providers, d.spec, d.message!) });
      return;
    }
    retried[String(status)] = (retried[String(status)] ?? 0) + 1;
    d.lastStatus = status;
    // Providers retry with backoff; so do we, until the end of the drain.
    d.attempts++;
    d.due = Date.now() + Math.min(500 * 2 ** d.attempts, 5_000);
    queue.push(d);
  }

  function nextDue(now: number): Delivery | undefined {
    let best = -1;
    for (let i = 0; i < queue.length; i++)
      if (queue[i].due <= now && (best < 0 || queue[i].due < queue[best].due)) best = i;
    return best < 0 ? undefined : queue.splice(best, 1)[0];
  }

  // Faults, one after the other, each no earlier than its point of the run.
  const schedule: Array<{ at: number; run: () => Promise<void> }> = [
    {
      at: 0.25,
      run: async () => {
        fault('worker killed (SIGKILL)');
        await worker.stop('SIGKILL');
        await sleep(Math.min(5_000, options.seconds * 100));
        worker = await startWorkerProcess(workerEnv);
        fault('worker restarted');
      },
    },
    {
      at: 0.45,
      run: async () => {
        const n = options.garbageBurst ?? 200;
        fault(`garbage burst (${n} requests)`);
        await Promise.all(
          Array.from({ length: n }, async () => {
            const target = targets[Math.floor(Math.random() * targets.length)];
            const res = await send(app.url, garbage(target)).catch(() => ({ status: 'error' as const }));
            garbageSent++;
            garbageAnswers[`${target.spec.provider}:${res.status}`] =
              (garbageAnswers[`${target.spec.provider}:${res.status}`] ?? 0) + 1;
          }),
        );
      },
    },
    {
      at: 0.65,
      run: async () => {
        fault('Temporal stopped');
        await server.stop();
        await sleep(Math.min(3_000, options.seconds * 100));
        server = await startDevServer(serverOptions);
        fault('Temporal restarted on its SQLite file');
      },
    },
  ];
  const faultsDone = (async () => {
    for (const step of schedule) {
      const wait = started + step.at * options.seconds * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
      await step.run();
    }
  })();

  const interval = 1000 / options.rate;
  const endAt = started + options.seconds * 1000;
  let tick = 0;
  while (Date.now() < endAt) {
    const now = Date.now();
    let d = nextDue(now);
    if (!d) {
      const plan = transactionPlan(now);
      transactions++;
      targets.push({ spec: plan[0].spec, externalId: plan[0].workflowId.split(':').slice(2).join(':') });
      queue.push(...plan);
      d = nextDue(now) ?? nextDue(Math.min(...plan.map((p) => p.due)))!;
    }
    track(deliver(d));
    tick++;
    const wait = started + tick * interval - Date.now();
    if (wait > 0) await sleep(wait);
  }
  fault('sending stopped; draining retries');
  await faultsDone;
  const drainUntil = Date.now() + (options.drainSeconds ?? 120) * 1000;
  while ((queue.length > 0 || inflight.size > 0) && Date.now() < drainUntil) {
    const d = nextDue(Date.now());
    if (d) track(deliver(d));
    else await sleep(50);
  }
  const unsent = queue.filter((d) => d.kind === 'callback').length;
  if (queue.length > 0) {
    const why = [...new Set(queue.map((d) => `${d.kind} ${d.spec.label} ${d.lastStatus}`))].join(', ');
    fault(`${unsent} callbacks and ${queue.length - unsent} registrations still not accepted after the drain (${why})`);
  }

  // Every accepted callback's events, in its workflow.
  const expected = new Map<string, Set<string>>();
  for (const a of acceptedDeliveries) {
    const set = expected.get(a.workflowId) ?? new Set();
    a.keys.forEach((k) => set.add(k));
    expected.set(a.workflowId, set);
  }
  const states = new Map<string, Set<string>>();
  const settleUntil = Date.now() + 120_000;
  for (const [workflowId, keys] of expected) {
    for (;;) {
      const s = await client.workflow
        .getHandle(workflowId)
        .query<TransactionState>('state')
        .catch(() => undefined);
      const have = new Set(s?.events.map((e) => e.key));
      states.set(workflowId, have);
      if ([...keys].every((k) => have.has(k)) || Date.now() > settleUntil) break;
      await sleep(200);
    }
  }
  const missing: SoakResult['missing'] = [];
  let reflected = 0;
  for (const a of acceptedDeliveries) {
    const have = states.get(a.workflowId)!;
    const absent = a.keys.filter((k) => !have.has(k));
    if (absent.length === 0) reflected++;
    else missing.push({ workflowId: a.workflowId, keys: absent });
  }

  const sum = async (m: typeof app.metrics.callbacksAccepted) =>
    (await m.get()).values.reduce((n, v) => n + v.value, 0);
  const sorted = [...latencies].sort((a, b) => a - b);
  const result: SoakResult = {
    seconds: options.seconds,
    rate: options.rate,
    requests,
    transactions,
    workflows: expected.size,
    accepted: acceptedDeliveries.length,
    reflected,
    missing,
    retried,
    registrations,
    garbage: { sent: garbageSent, answers: garbageAnswers },
    // Answered from the receivers' memory of what was accepted a moment ago counts as accepted too.
    acceptedMetric: (await sum(app.metrics.callbacksAccepted)) + (await sum(app.metrics.callbacksDeduplicated)),
    refusedMetric: await sum(app.metrics.callbacksRefused),
    faults,
    latencyMs: {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? 0,
    },
  };

  await app.close();
  await worker.stop('SIGTERM');
  await connection.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return result;
}

async function main() {
  const seconds = Number(process.env.SOAK_SECONDS ?? 180);
  const rate = Number(process.env.SOAK_RATE ?? 25);
  process.stdout.write(
    `Soak: ${seconds} s at ${rate} requests/s, faults injected; this takes about ${Math.round(seconds / 60) + 1} minutes.\n`,
  );
  const result = await runSoak({ seconds, rate, log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const ok = result.accepted === result.reflected && result.acceptedMetric >= result.accepted;
  process.stdout.write(
    ok
      ? `OK: ${result.accepted} callbacks accepted, ${result.reflected} reflected in workflows.\n`
      : 'FAILED: accepted and reflected differ.\n',
  );
  process.exit(ok ? 0 : 1);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
