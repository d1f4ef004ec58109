// Ordering through real Temporal: the same realistic histories as the reducer's property
// tests, sent as signals the way receivers send them (signalWithStart, several at once,
// shuffled, duplicated, from callbacks and polls) with the application's registration
// anywhere in between. The workflow must end where the set of facts says.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import fc from 'fast-check';
import { deliverEvents, registerTransaction, type TransactionContext } from '../../src/temporal/transactions';
import type { TransactionRef } from '../../src/common/types';
import { startCountersignWorker, type RunningCountersignWorker } from '../../src/worker';
import { testConfig } from '../helpers/config';
import { expectedOutcome, fold, historyArbitrary, outcomeOf, type History } from '../helpers/histories';
import { snapshot } from '../helpers/http';
import { startDevServerEnv, uniqueId, workflowBundle } from '../helpers/temporal';

const RUNS = Number(process.env.TEMPORAL_PROPERTY_RUNS ?? 40);
const config = testConfig();
let env: TestWorkflowEnvironment;
let worker: RunningCountersignWorker;
let ctx: TransactionContext;

beforeAll(async () => {
  env = await startDevServerEnv();
  worker = await startCountersignWorker({
    connection: env.nativeConnection,
    config,
    workflowBundle: await workflowBundle(),
  });
  ctx = { client: env.client, taskQueue: config.temporal.taskQueue, engine: config.engine };
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
});

/** Sends the history: deliveries in waves of one to three at once, registration where it falls. */
async function play(h: History, ref: TransactionRef, waves: number[]): Promise<void> {
  if (h.registration === 'start') await registerTransaction(ctx, ref, {});
  const n = h.deliveries.length;
  for (let i = 0, w = 0; ;) {
    if (h.registration === i) await registerTransaction(ctx, ref, {});
    if (i >= n) break;
    const size = waves[w++ % waves.length];
    const end = Math.min(
      n,
      typeof h.registration === 'number' && h.registration > i ? Math.min(i + size, h.registration) : i + size,
    );
    const results = await Promise.all(
      h.deliveries.slice(i, end).map((event) => deliverEvents(ctx, ref, [event], { mayCreate: true })),
    );
    expect(results.every((r) => r === 'accepted')).toBe(true);
    i = end;
  }
}

it(`ends in the same state for any order, duplication and concurrency of signals (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      historyArbitrary(),
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 5 }),
      async (h, waves) => {
        // With no delivery and no registration there is no transaction at all.
        fc.pre(h.deliveries.length > 0 || h.registration !== 'never');
        const ref: TransactionRef = {
          provider: h.kind === 'registered-mail' ? 'portal-de-assinaturas' : 'signhost',
          kind: h.kind,
          externalId: uniqueId('order'),
        };
        await play(h, ref, waves);
        const { state } = await snapshot(env.client, `${ref.kind}:${ref.provider}:${ref.externalId}`);
        expect(outcomeOf(state)).toEqual(expectedOutcome(h));
        expect(outcomeOf(state)).toEqual(outcomeOf(fold(h, ref.externalId)));
      },
    ),
    { numRuns: RUNS },
  );
}, 240_000);
