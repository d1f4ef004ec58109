// A step plan is checked when the transaction is registered: a name no worker runs is a 400
// naming it (and listing the known ones), and nothing is started.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError } from '@temporalio/client';
import { BUILT_IN_STEPS } from '../../src/api/known-steps';
import { createActivities } from '../../src/activities';
import { postJson, startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let app: RunningApp;
let openApp: RunningApp;
const config = testConfig();

beforeAll(async () => {
  env = await startDevServerEnv();
  app = await startApp(config, env.client, undefined, { knownSteps: [...BUILT_IN_STEPS, 'updateCrm'] });
  openApp = await startApp(config, env.client);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await openApp?.close();
  await env?.teardown();
});

it('the built-in steps are the ones every worker registers', () => {
  const all = Object.keys(createActivities({ providers: {} }));
  for (const step of BUILT_IN_STEPS) expect(all).toContain(step);
});

it('refuses a mistyped step with 400 naming it and where it is, and starts nothing', async () => {
  const externalId = uniqueId();
  const res = await postJson(`${app.url}/transactions`, {
    provider: 'evrotrust',
    externalId,
    steps: {
      onSigned: ['downloadSignedDocument', { name: 'updateCrn', maximumAttempts: 3 }],
      onRejected: ['notifyAplication'],
    },
  });
  expect(res.status).toBe(400);
  expect(res.json).toEqual({
    error: 'invalid request',
    detail:
      'steps.onSigned.1: unknown step "updateCrn"; steps.onRejected.0: unknown step "notifyAplication" ' +
      '(known: downloadSignedDocument, notifyApplication, updateCrm)',
  });
  await expect(env.client.workflow.getHandle(`signing:evrotrust:${externalId}`).describe()).rejects.toBeInstanceOf(
    WorkflowNotFoundError,
  );
});

it('accepts built-in and user steps', async () => {
  const res = await postJson(`${app.url}/transactions`, {
    provider: 'evrotrust',
    externalId: uniqueId(),
    steps: { onSigned: ['downloadSignedDocument', { name: 'updateCrm' }], onExpired: ['notifyApplication'] },
  });
  expect(res.status).toBe(201);
});

it('accepts any name where the workers are not known (a receivers-only process)', async () => {
  const res = await postJson(`${openApp.url}/transactions`, {
    provider: 'evrotrust',
    externalId: uniqueId(),
    steps: { onSigned: ['somebodyElses'] },
  });
  expect(res.status).toBe(201);
});
