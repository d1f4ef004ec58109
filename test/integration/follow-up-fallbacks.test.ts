// When callbacks never come: each provider's fallback fires when its defaults say and
// recovers the status from a real simulator over loopback HTTP. Time-skipping server: days
// pass in seconds. Follow-ups run on their per-provider task queues, as in production.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { activityInfo } from '@temporalio/activity';
import type { Config } from '../../src/config';
import { createFollowUps, type FollowUp } from '../../src/providers';
import type { Provider } from '../../src/providers/provider';
import { followUpNowSignal, stateQuery } from '../../src/common/messages';
import { BUILT_IN_PROVIDERS } from '../../src/providers/registry';
import {
  type ProviderName,
  type Registration,
  type TransactionRef,
  type TransactionState,
} from '../../src/common/types';
import { EvrotrustSimulator } from '../../src/providers/evrotrust/simulator';
import { PortalDeAssinaturasSimulator } from '../../src/providers/portal-de-assinaturas/simulator';
import { SignhostSimulator } from '../../src/providers/signhost/simulator';
import { SignicatSimulator } from '../../src/providers/signicat/simulator';
import { registerTransaction } from '../../src/temporal/transactions';
import { startApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { simulatorEnv } from '../helpers/simulator-env';
import { closedPortUrl, scriptedServer } from '../helpers/scripted-server';
import { startTimeSkippingEnv, uniqueId } from '../helpers/temporal';
import { withTestWorker } from '../helpers/worker';

const MIN = 60_000;
const HOUR = 60 * MIN;

const creds = {
  evrotrust: { apiKey: 'et-key', vendorNumber: 'V-1' },
  signhost: { appKey: 'app', apiKey: 'user', sharedSecret: 'secret' },
  signicat: { clientId: 'client', clientSecret: 'secret' },
  portal: { token: 'tok' },
};

let env: TestWorkflowEnvironment;
let evrotrust: EvrotrustSimulator;
let signhost: SignhostSimulator;
let signicat: SignicatSimulator;
let portal: PortalDeAssinaturasSimulator;
let deadUrl: string;

beforeAll(async () => {
  env = await startTimeSkippingEnv();
  evrotrust = new EvrotrustSimulator(creds.evrotrust);
  signhost = new SignhostSimulator(creds.signhost);
  signicat = new SignicatSimulator(creds.signicat);
  portal = new PortalDeAssinaturasSimulator(creds.portal);
  await Promise.all([evrotrust.start(), signhost.start(), signicat.start(), portal.start()]);
  deadUrl = await closedPortUrl();
}, 120_000);
afterAll(async () => {
  await Promise.all([evrotrust?.close(), signhost?.close(), signicat?.close(), portal?.close()]);
  await env?.teardown();
});

function config(overrides: Record<string, string> = {}): Config {
  return testConfig({
    LINGER_AFTER_FINAL: '1 minute',
    // These tests pin when and how the engine asks; holding unverified finals for confirmation
    // adds asks of its own (test/security/forged-finals.test.ts covers it).
    CONFIRM_UNVERIFIED_FINALS: 'off',
    ...simulatorEnv({ evrotrust, signhost, signicat, portal }, overrides, creds),
  });
}

interface Call {
  provider: ProviderName;
  /** Server (skipped) time the follow-up was scheduled. */
  at: number;
  taskQueue: string;
  attempt: number;
  outcome: string;
}

/** The real follow-ups, watched: when each ran (in workflow time), where, and what it learned. */
function watched(followUps: Record<ProviderName, FollowUp>) {
  const calls: Call[] = [];
  const providers = Object.fromEntries(
    BUILT_IN_PROVIDERS.map(({ name: p }) => [
      p,
      {
        name: p,
        async followUp(req) {
          const info = activityInfo();
          const call: Call = {
            provider: p,
            at: info.currentAttemptScheduledTimestampMs,
            taskQueue: info.taskQueue,
            attempt: req.attempt,
            outcome: 'threw',
          };
          calls.push(call);
          const result = await followUps[p](req);
          call.outcome = result.outcome;
          return result;
        },
      } as Pick<Provider, 'name' | 'followUp'> as Provider,
    ]),
  ) as Record<ProviderName, Provider>;
  return { providers, calls };
}

/** The main worker (workflows) and the per-provider follow-up workers, for the length of `fn`. */
function withWorkers<T>(cfg: Config, providers: Record<ProviderName, Provider>, fn: () => Promise<T>): Promise<T> {
  return withTestWorker(env, cfg, { providers }, fn);
}

async function runToEnd(cfg: Config, ref: TransactionRef, registration: Registration = {}) {
  const { workflowId } = await registerTransaction(
    { client: env.client, taskQueue: cfg.temporal.taskQueue, engine: cfg.engine },
    ref,
    registration,
  );
  return env.client.workflow.getHandle(workflowId).result() as Promise<TransactionState>;
}

const signing = (provider: ProviderName, externalId: string): TransactionRef => ({
  provider,
  kind: 'signing',
  externalId,
});
/** Offsets from the start, to the minute (starting the workers takes real milliseconds). */
const since = (start: number, calls: Call[]) => calls.map((c) => Math.round((c.at - start) / MIN) * MIN);

it('Evrotrust: polls an hour after silence (its 3 attempts are long over) and applies the status like a callback', async () => {
  const cfg = config();
  const { providers, calls } = watched(createFollowUps(cfg));
  const tx = evrotrust.createTransaction({ urlCallback: deadUrl });
  await evrotrust.setStatus(tx.transactionID, 2); // the callback fails: nobody listens there
  const start = await env.currentTimeMs();
  const result = await withWorkers(cfg, providers, () => runToEnd(cfg, signing('evrotrust', tx.transactionID)));
  expect(result.status).toBe('signed');
  expect(result.events).toEqual([expect.objectContaining({ key: 'status:2', type: 'signed', source: 'poll' })]);
  expect(since(start, calls)).toEqual([HOUR]);
  expect(calls[0].taskQueue).toBe(`${cfg.temporal.taskQueue}-follow-up-evrotrust`);
  expect(result.lastFollowUp?.outcome).toBe('polled: status 2 (signed)');
});

it('Signicat: asks Notify after 15 minutes; when the callback still does not come, gets the process', async () => {
  const cfg = config();
  const { providers, calls } = watched(createFollowUps(cfg));
  const p = signicat.createProcess({ notificationUrl: deadUrl, authorizationHeader: 'Bearer cb' });
  await signicat.setStatus(p.processId, 'accepted'); // sent once, lost, never retried
  const start = await env.currentTimeMs();
  const before = signicat.server.requests.length;
  const result = await withWorkers(cfg, providers, () =>
    runToEnd(cfg, signing('signicat', p.processId), { dossierId: p.dossierId }),
  );
  expect(result.status).toBe('signed');
  expect(result.events).toEqual([
    expect.objectContaining({ key: 'status:accepted', source: 'poll', providerStatus: 'accepted' }),
  ]);
  // 15 min: notify; no news, wait doubles: 30 min later, Get process.
  expect(since(start, calls)).toEqual([15 * MIN, 45 * MIN]);
  expect(calls.map((c) => c.outcome)).toEqual([
    'notify requested: the callback should follow',
    'polled: status accepted',
  ]);
  const apiCalls = signicat.server.requests
    .slice(before)
    .map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, 'ID')}`);
  expect(apiCalls).toEqual([
    'POST /auth/open/connect/token',
    'POST /assure/dossiers/ID/processes/ID/notify',
    'GET /assure/dossiers/ID/processes/ID',
  ]);
});

it('Signhost: polls after 73 hours (its postback queue gives up after 48-72) and reads the status from a 410 Gone', async () => {
  const cfg = config();
  const { providers, calls } = watched(createFollowUps(cfg));
  const tx = signhost.createTransaction();
  await signhost.setStatus(tx.Id, 30, { postback: false }); // a parked queue: never delivered
  signhost.markGone(tx.Id);
  const start = await env.currentTimeMs();
  const result = await withWorkers(cfg, providers, () => runToEnd(cfg, signing('signhost', tx.Id)));
  expect(result.status).toBe('signed');
  expect(result.events).toEqual([
    expect.objectContaining({ key: 'status:30', source: 'poll', details: { label: 'signed', gone: true } }),
  ]);
  expect(since(start, calls)).toEqual([73 * HOUR]);
});

it('Portal de Assinaturas: polls after 25 hours (its retries last 24) and finds the flow complete', async () => {
  const cfg = config();
  const { providers, calls } = watched(createFollowUps(cfg));
  const doc = portal.createDocument();
  await portal.act(doc.documentId, 'FLOW', {}, { callback: false });
  const start = await env.currentTimeMs();
  const result = await withWorkers(cfg, providers, () =>
    runToEnd(cfg, signing('portal-de-assinaturas', doc.documentId)),
  );
  expect(result.status).toBe('signed');
  // The callback's own key: a FLOW callback arriving after this poll is a duplicate.
  expect(result.events).toEqual([expect.objectContaining({ key: 'FLOW', type: 'signed', source: 'poll' })]);
  expect(since(start, calls)).toEqual([25 * HOUR]);
});

it('a transaction that never reaches a final status ends expired at its deadline, polled on the way with backoff', async () => {
  const cfg = config();
  const { providers, calls } = watched(createFollowUps(cfg));
  const tx = evrotrust.createTransaction(); // stays 1 (pending) forever
  const start = await env.currentTimeMs();
  const deadline = new Date(start + 30 * HOUR).toISOString();
  const result = await withWorkers(cfg, providers, () =>
    runToEnd(cfg, signing('evrotrust', tx.transactionID), { deadline }),
  );
  expect(result.status).toBe('expired');
  expect(result.outcomeReason).toBe(`deadline ${deadline} passed with no final status from evrotrust`);
  expect(result.events.map((e) => [e.key, e.source])).toEqual([
    ['status:1', 'poll'],
    ['engine:deadline', 'application'],
  ]);
  // At 1 h status 1 is news and restarts the clock (1 h); then silence doubles the wait
  // (2, 4, 8 h); the next wait (16 h) would pass the deadline, so the last follow-up runs there.
  expect(since(start, calls).map((t) => t / HOUR)).toEqual([1, 2, 4, 8, 16, 30]);
});

it('credentials refused: the follow-up fails once without retries, the transaction carries on and expires', async () => {
  const cfg = config({ EVROTRUST_API_KEY: 'not-the-key' });
  const { providers, calls } = watched(createFollowUps(cfg));
  const tx = evrotrust.createTransaction();
  const before = evrotrust.server.requests.length;
  const start = await env.currentTimeMs();
  const deadline = new Date(start + 3 * HOUR).toISOString();
  const result = await withWorkers(cfg, providers, () =>
    runToEnd(cfg, signing('evrotrust', tx.transactionID), { deadline }),
  );
  expect(result.status).toBe('expired');
  expect(result.lastFollowUp?.outcome).toMatch(
    /^follow-up failed: ProviderAuthError: evrotrust document status: HTTP 401/,
  );
  // One activity attempt and one HTTP request per follow-up: nothing retried a 401.
  expect(since(start, calls)).toEqual([HOUR, 3 * HOUR]);
  expect(evrotrust.server.requests.slice(before).map((r) => r.status)).toEqual([401, 401]);
});

it('a transaction’s own follow-up policy beats its provider’s default', async () => {
  const cfg = config();
  const { providers, calls } = watched(createFollowUps(cfg));
  const tx = evrotrust.createTransaction();
  await evrotrust.setStatus(tx.transactionID, 4);
  const start = await env.currentTimeMs();
  const result = await withWorkers(cfg, providers, () =>
    runToEnd(cfg, signing('evrotrust', tx.transactionID), { followUp: { firstAfter: '10 minutes' } }),
  );
  expect(result.status).toBe('expired');
  expect(result.followUp).toEqual({ firstAfter: '10 minutes' });
  expect(since(start, calls)).toEqual([10 * MIN]);
});

it('a callback that arrives while a poll is in flight is applied once', async () => {
  const cfg = config();
  const app = await startApp(cfg, env.client);
  const { providers, calls } = watched(createFollowUps(cfg));
  const tx = evrotrust.createTransaction({ urlCallback: `${app.url}/callbacks/evrotrust` });
  try {
    await withWorkers(cfg, providers, async () => {
      const { workflowId } = await registerTransaction(
        { client: env.client, taskQueue: cfg.temporal.taskQueue, engine: cfg.engine },
        signing('evrotrust', tx.transactionID),
        {},
      );
      const handle = env.client.workflow.getHandle(workflowId);
      const held = evrotrust.server.hold(/^\/document\/status$/);
      await handle.signal(followUpNowSignal);
      await held.reached; // the poll is at Evrotrust, waiting for its answer
      // Meanwhile the signer signs and Evrotrust calls back through the real receiver.
      expect(await evrotrust.setStatus(tx.transactionID, 2)).toBe(true);
      expect((await handle.query(stateQuery)).events.map((e) => [e.key, e.source])).toEqual([['status:2', 'callback']]);
      // A final status does not wait on a poll in flight (the provider's API may hang): the
      // poll is cancelled, so the transaction ends without its answer.
      const result = (await handle.result()) as TransactionState;
      held.release();
      expect(result.status).toBe('signed');
      expect(result.events.map((e) => [e.key, e.source])).toEqual([['status:2', 'callback']]);
      expect(result.lastFollowUp).toBeUndefined();
      expect(calls).toHaveLength(1);
    });
  } finally {
    await app.close();
  }
});

it('a provider API that is down: each follow-up retries a bounded number of times, the next one backs off, and the status is applied once when it recovers', async () => {
  // 30 × 503, then the answer: two whole follow-ups fail (5 activity attempts × 3 HTTP
  // attempts each), the third succeeds.
  const down = await scriptedServer([
    ...Array.from({ length: 30 }, () => ({ status: 503, body: '{}' })),
    { status: 200, body: '{"status":2,"isProcessing":0}' },
  ]);
  try {
    const cfg = config({ EVROTRUST_API_URL: down.url, PROVIDER_API_ATTEMPTS: '3' });
    const { providers, calls } = watched(createFollowUps(cfg));
    const start = await env.currentTimeMs();
    const result = await withWorkers(cfg, providers, () => runToEnd(cfg, signing('evrotrust', uniqueId('down'))));
    expect(result.status).toBe('signed');
    expect(result.events).toEqual([expect.objectContaining({ key: 'status:2', source: 'poll' })]);
    // Bounded: exactly the 31 requests the retry policies allow, no tight loop.
    expect(down.seen).toHaveLength(31);
    const byAttempt = new Map<number, Call[]>();
    for (const c of calls) byAttempt.set(c.attempt, [...(byAttempt.get(c.attempt) ?? []), c]);
    expect([...byAttempt.entries()].map(([a, cs]) => [a, cs.length])).toEqual([
      [1, 5],
      [2, 5],
      [3, 1],
    ]);
    // The workflow's own backoff between follow-ups: 1 h of silence, then 2 h, then 4 h.
    const firstOf = (a: number) => byAttempt.get(a)![0].at;
    expect(Math.round((firstOf(1) - start) / HOUR)).toBe(1);
    expect(firstOf(2) - firstOf(1)).toBeGreaterThanOrEqual(2 * HOUR);
    expect(firstOf(3) - firstOf(2)).toBeGreaterThanOrEqual(4 * HOUR);
    expect(result.lastFollowUp?.outcome).toBe('polled: status 2 (signed)');
  } finally {
    await down.close();
  }
});
