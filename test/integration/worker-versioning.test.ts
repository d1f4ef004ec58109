// An upgrade and a rollback with Worker Deployment versioning, on a real dev server with real
// workers: transactions started on one version move to the next one current at their next
// hand-over (a burst of callbacks, or the periodic wake-up of a quiet run), so the old
// version's worker can stop while every transaction still ends on its right status.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { signhostChecksum } from '../../src/providers/signhost';
import type { TransactionState } from '../../src/common/types';
import type { RunningCountersignWorker } from '../../src/worker';
import { openOnVersion, setCurrentVersion } from '../../src/temporal/worker-deployment';
import { postJson, startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { eventually } from '../helpers/http';
import { allRuns } from '../helpers/runs';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { startTestWorker } from '../helpers/worker';

const SECRET = 'versioning-test-secret';
const deploymentName = uniqueId('countersign');
const taskQueue = uniqueId('q');
const version = (buildId: string): WorkerDeploymentVersion => ({ deploymentName, buildId });
const N = version('n');
const NEXT = version('n-plus-1');

const configOf = (v: WorkerDeploymentVersion) =>
  testConfig(
    {
      SIGNHOST_SHARED_SECRET: SECRET,
      TEMPORAL_DEPLOYMENT_NAME: v.deploymentName,
      TEMPORAL_WORKER_BUILD_ID: v.buildId,
      // A quiet run looks for a newer version this often (a day in production).
      WAKE_UP_INTERVAL: '2 seconds',
      CONTINUE_AS_NEW_MAX_SIGNALS: '3',
      LINGER_AFTER_FINAL: '2 seconds',
    },
    taskQueue,
  );

let env: TestWorkflowEnvironment;
let app: RunningApp;
const workers = new Map<string, RunningCountersignWorker>();

beforeAll(async () => {
  env = await startDevServerEnv();
  app = await startApp(configOf(N), env.client);
}, 120_000);

afterAll(async () => {
  for (const w of workers.values()) await w.stop();
  await app?.close();
  await env?.teardown();
});

async function deploy(v: WorkerDeploymentVersion): Promise<void> {
  workers.set(v.buildId, await startTestWorker(env, configOf(v)));
}

/** Stops a version's worker for good: nothing of it polls any more. */
async function retire(v: WorkerDeploymentVersion): Promise<void> {
  const w = workers.get(v.buildId)!;
  workers.delete(v.buildId);
  await w.stop();
  await w.done;
}

const postback = (id: string, status: number, activityIds: string[] = []) =>
  postJson(`${app.url}/callbacks/signhost`, {
    Id: id,
    Status: status,
    Signers: [{ Id: 'signer-1', Activities: activityIds.map((a) => ({ Id: a, Code: 103, Activity: 'Opened' })) }],
    Checksum: signhostChecksum(id, status, SECRET),
  });

interface Started {
  /** What the transaction is sent through, and the status it must end on. */
  kind: 'quiet-signed' | 'busy-signed' | 'expires';
  externalId: string;
  workflowId: string;
}

async function register(kind: Started['kind'], deadline?: string): Promise<Started> {
  const externalId = uniqueId(kind);
  const res = await postJson(`${app.url}/transactions`, { provider: 'signhost', externalId, deadline });
  expect(res.status).toBe(201);
  return { kind, externalId, workflowId: (res.json as { workflowId: string }).workflowId };
}

/** One of each: signed after a long silence, signed after a burst of callbacks, expired at its deadline. */
async function startTransactions(deadlineInMs: number): Promise<Started[]> {
  const started = [
    await register('quiet-signed'),
    await register('busy-signed'),
    await register('expires', new Date(Date.now() + deadlineInMs).toISOString()),
  ];
  for (const t of started) expect((await postback(t.externalId, 10, ['sent'])).status).toBe(200);
  return started;
}

/** The version the workflow's current run is pinned to. */
async function pinnedTo(workflowId: string): Promise<string | undefined> {
  const description = await env.client.workflow.getHandle(workflowId).describe();
  const info = description.raw.workflowExecutionInfo?.versioningInfo;
  return info?.deploymentVersion?.buildId ?? undefined;
}

async function expectAllOn(started: Started[], v: WorkerDeploymentVersion): Promise<void> {
  for (const t of started) {
    await eventually(async () => expect(await pinnedTo(t.workflowId)).toBe(v.buildId), 60_000, 500);
  }
}

/** The operator's query finds the runs on a version (so its zero below means drained, not a wrong query). */
async function expectCounted(started: Started[], v: WorkerDeploymentVersion): Promise<void> {
  await eventually(
    async () => expect(await openOnVersion(env.client, v)).toBeGreaterThanOrEqual(started.length),
    60_000,
    500,
  );
}

/** Drained: no run open on the version, as an operator checks it before retiring it. */
async function expectDrained(v: WorkerDeploymentVersion): Promise<void> {
  await eventually(async () => expect(await openOnVersion(env.client, v)).toBe(0), 60_000, 500);
}

/** Sends what each transaction still needs and checks where it ended and on which version. */
async function finish(started: Started[], on: WorkerDeploymentVersion): Promise<void> {
  for (const t of started) {
    if (t.kind === 'busy-signed') {
      for (let i = 0; i < 6; i++) expect((await postback(t.externalId, 20, [`burst-${i}`])).status).toBe(200);
    }
    if (t.kind !== 'expires') expect((await postback(t.externalId, 30)).status).toBe(200);
  }
  for (const t of started) {
    const result = (await env.client.workflow.getHandle(t.workflowId).result()) as TransactionState;
    expect({ kind: t.kind, status: result.status }).toEqual({
      kind: t.kind,
      status: t.kind === 'expires' ? 'expired' : 'signed',
    });
    expect({ kind: t.kind, on: await pinnedTo(t.workflowId) }).toEqual({ kind: t.kind, on: on.buildId });
    // Moved by a hand-over: the first run started elsewhere, the last one here.
    expect((await allRuns(env.client, t.workflowId)).length).toBeGreaterThan(1);
  }
}

it('upgrade: transactions started on N move to N+1 at their hand-over, N retires, each ends right', async () => {
  await deploy(N);
  await setCurrentVersion(env.client, N);
  const started = await startTransactions(45_000);
  await expectAllOn(started, N);
  await expectCounted(started, N);

  await deploy(NEXT);
  await setCurrentVersion(env.client, NEXT);
  // Nothing wakes them but the periodic wake-up: each sees a newer current version and hands over.
  await expectAllOn(started, NEXT);
  await expectDrained(N);
  await retire(N);

  await finish(started, NEXT);
}, 240_000);

it('rollback: N made current again, runs on N+1 move back, N+1 retires, each ends right', async () => {
  if (!workers.has(NEXT.buildId)) throw new Error('needs the upgrade test before it');
  const started = await startTransactions(45_000);
  await expectAllOn(started, NEXT);
  await expectCounted(started, NEXT);

  // The old code deployed again beside the new.
  await deploy(N);
  await setCurrentVersion(env.client, N);
  await expectAllOn(started, N);
  await expectDrained(NEXT);
  await retire(NEXT);

  await finish(started, N);
}, 240_000);
