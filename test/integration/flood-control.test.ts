// One transaction flooded with callbacks, over real HTTP against a real dev server and worker:
// identical callbacks cost Temporal only a handful of signals, cumulative Signhost postbacks
// only what is new in each, a transaction over its rate gets the answer its provider retries
// on, and every callback answered 2xx is in its state.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Config } from '../../src/config';
import { createProviders } from '../../src/providers';
import type { TransactionState } from '../../src/common/types';
import { testConfig } from '../helpers/config';
import { eventually } from '../helpers/http';
import { eventKeys, registration, SECRETS, SPECS, workflowIdOf, type CallbackMessage } from '../helpers/provider-specs';
import { signhostPostback } from '../helpers/signhost';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { API_AUTH, registerViaApi } from '../helpers/transactions';

let env: TestWorkflowEnvironment;
const stacks: Stack[] = [];

beforeAll(async () => {
  env = await startDevServerEnv();
}, 120_000);

afterAll(async () => {
  for (const s of stacks) await s.stop();
  await env?.teardown();
});

async function stack(config: Config): Promise<Stack> {
  const s = await startStack(env, config);
  stacks.push(s);
  return s;
}

interface Answer {
  status: number;
  retryAfter: string | null;
}

async function post(base: string, m: CallbackMessage): Promise<Answer> {
  const res = await fetch(`${base}${m.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...m.headers },
    body: JSON.stringify(m.body),
  });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}

async function signalCount(workflowId: string): Promise<number> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
}

const state = (workflowId: string) => env.client.workflow.getHandle(workflowId).query<TransactionState>('state');

/** Sends `total` callbacks, `concurrency` at a time, and returns every answer. */
async function flood(
  base: string,
  total: number,
  concurrency: number,
  message: (i: number) => CallbackMessage,
): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  const sender = async () => {
    while (next < total) answers.push(await post(base, message(next++)));
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return answers;
}

const sum = async (
  counter: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown> }> }> },
  labels: Record<string, string>,
) =>
  (await counter.get()).values
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((n, v) => n + v.value, 0);

describe('identical callbacks', () => {
  const specs = SPECS.filter((s) => s.provider === 'evrotrust' || s.provider === 'signhost');

  it.each(specs.map((s) => [s.label, s] as const))(
    '%s: a flood is answered 200 with a handful of signals, and the final callback still applies',
    async (_label, spec) => {
      const config = testConfig({ ...SECRETS });
      const s = await stack(config);
      const id = uniqueId('flood');
      const workflowId = workflowIdOf(spec, id);
      await registerViaApi(s.app.url, registration(spec, id), API_AUTH);
      const total = spec.provider === 'evrotrust' ? 3000 : 1000;
      const answers = await flood(s.app.url, total, 32, () => spec.progress(id, 1));
      expect(answers.filter((a) => a.status !== 200)).toEqual([]);
      expect(answers).toHaveLength(total);

      const signals = await signalCount(workflowId);
      // With one signal per event, a Signhost postback of two facts is two signals.
      expect(signals).toBeLessThanOrEqual(3 * eventKeys(createProviders(config), spec, spec.progress(id, 1)).length);
      const deduplicated = await sum(s.app.metrics.callbacksDeduplicated, { provider: spec.provider });
      const accepted = await sum(s.app.metrics.callbacksAccepted, { provider: spec.provider });
      expect(deduplicated + accepted).toBe(total);
      expect(deduplicated).toBeGreaterThanOrEqual(total - 3);

      expect((await post(s.app.url, spec.valid(id))).status).toBe(200);
      await eventually(async () => expect((await state(workflowId)).status).toBe(spec.finalStatus));
    },
  );
});

describe('cumulative Signhost postbacks', () => {
  it('cost a signal for what is new in each, not for the whole history they repeat', async () => {
    const config = testConfig({ ...SECRETS });
    const s = await stack(config);
    const id = uniqueId('cumulative');
    const workflowId = `signing:signhost:${id}`;
    await registerViaApi(
      s.app.url,
      registration(
        SPECS.find((x) => x.provider === 'signhost')!,
        id,
      ),
      API_AUTH,
    );
    const activities: Array<{ Id: string; Code: number; Activity: string; CreatedDateTime: string }> = [];
    const postback = (status: number): CallbackMessage => ({
      path: '/callbacks/signhost',
      headers: { authorization: SECRETS.SIGNHOST_POSTBACK_AUTHORIZATION },
      body: signhostPostback({ id, status, secret: SECRETS.SIGNHOST_SHARED_SECRET, john: [...activities], jane: [] }),
    });
    const postbacks = 60;
    // One at a time, in order, as Signhost sends them; each repeats every earlier activity.
    for (let i = 1; i <= postbacks; i++) {
      activities.push({
        Id: `activity-${id}-${i}`,
        Code: 103,
        Activity: 'Opened',
        CreatedDateTime: `2026-01-01T10:${String(i % 60).padStart(2, '0')}:00+01:00`,
      });
      expect((await post(s.app.url, postback(20))).status).toBe(200);
    }
    expect((await post(s.app.url, postback(30))).status).toBe(200);

    const final = await eventually(async () => {
      const st = await state(workflowId);
      expect(st.status).toBe('signed');
      return st;
    });
    // Every activity recorded once (the state lists the latest and counts the rest), and the
    // signer summary saw each of them.
    expect(final.eventCounts?.recorded).toBe(activities.length + 2);
    expect(Object.values(final.signers ?? {})[0]).toMatchObject({ events: activities.length });
    // Each postback's new activity, plus the two statuses: linear, where resending every
    // repeated activity would make postbacks × (postbacks + 1) / 2 of them.
    expect(await signalCount(workflowId)).toBeLessThanOrEqual(postbacks + 2);
  });
});

describe('a transaction over its rate', () => {
  // Distinct facts per callback, so none is a duplicate: each needs a signal.
  const specs = SPECS.filter((s) => s.provider === 'signhost' || s.label === 'portal-de-assinaturas (document)');

  it.each(specs.map((s) => [s.label, s] as const))(
    '%s: gets the answer its provider retries on; accepted ones are all applied, decisive ones never refused',
    async (_label, spec) => {
      const config = testConfig({
        ...SECRETS,
        CALLBACK_RATE_PER_TRANSACTION: '0.5',
        CALLBACK_BURST_PER_TRANSACTION: '4',
        CALLBACK_RATE_MAX_WAIT: '0s',
      });
      const s = await stack(config);
      const providers = createProviders(config);
      const id = uniqueId('rate');
      const workflowId = workflowIdOf(spec, id);
      await registerViaApi(s.app.url, registration(spec, id), API_AUTH);
      const messages = Array.from({ length: 16 }, (_, i) => spec.progress(id, i + 1));
      const answers = await Promise.all(messages.map((m) => post(s.app.url, m)));

      const refusedStatus = spec.answer('rate-limited');
      expect(refusedStatus).toBe(spec.provider === 'signhost' ? 503 : 429);
      expect(answers.filter((a) => a.status !== 200 && a.status !== refusedStatus)).toEqual([]);
      const accepted = messages.filter((_, i) => answers[i].status === 200);
      const refused = messages.filter((_, i) => answers[i].status === refusedStatus);
      expect(accepted.length).toBeGreaterThanOrEqual(4);
      expect(refused.length).toBeGreaterThanOrEqual(8);
      if (refusedStatus === 429)
        for (const a of answers.filter((x) => x.status === 429)) expect(a.retryAfter).toMatch(/^\d+$/);
      expect(await sum(s.app.metrics.callbacksRefused, { provider: spec.provider, reason: 'rate-limited' })).toBe(
        refused.length,
      );

      // The final callback, while the bucket is still empty: applied.
      expect((await post(s.app.url, spec.valid(id))).status).toBe(200);
      const acceptedKeys = new Set(accepted.flatMap((m) => eventKeys(providers, spec, m)));
      const refusedOnly = refused.flatMap((m) => eventKeys(providers, spec, m)).filter((k) => !acceptedKeys.has(k));
      const final = await eventually(async () => {
        const st = await state(workflowId);
        expect(st.status).toBe(spec.finalStatus);
        return st;
      });
      const held = new Set(final.events.map((e) => e.key));
      for (const key of acceptedKeys) expect({ key, held: held.has(key) }).toEqual({ key, held: true });
      // What was refused was not signalled: the provider's retry brings it.
      for (const key of refusedOnly) expect({ key, held: held.has(key) }).toEqual({ key, held: false });
    },
  );
});
