// POST /transactions while no worker polls: registering a transaction that already runs is an
// update, which only a worker answers. The application gets 503 within the registration
// timeout instead of a request that never ends, and the same request succeeds once a worker
// is back. Real dev server, app and worker.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { postJson, startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { startTestWorker } from '../helpers/worker';

const config = testConfig({}, `no-worker-${uniqueId('q')}`);
let env: TestWorkflowEnvironment;
let app: RunningApp;

beforeAll(async () => {
  env = await startDevServerEnv();
  app = await startApp(config, env.client, undefined, { registrationTimeoutMs: 1500 });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await env?.teardown();
});

it('answers 503 while no worker can take the registration, and 200 once one is back', async () => {
  const body = { provider: 'evrotrust', externalId: uniqueId(), reference: 'order-7' };
  // Starting a workflow needs no worker.
  expect(await postJson(`${app.url}/transactions`, body)).toMatchObject({ status: 201 });

  const again = await postJson(`${app.url}/transactions`, body);
  expect(again).toMatchObject({ status: 503, json: { error: expect.stringMatching(/retry later/) } });

  const worker = await startTestWorker(env, config);
  try {
    expect(await postJson(`${app.url}/transactions`, body)).toMatchObject({
      status: 200,
      json: { workflowId: `signing:evrotrust:${body.externalId}` },
    });
  } finally {
    await worker.stop();
  }
}, 60_000);
