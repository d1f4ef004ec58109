// Stuck workflows as the Temporal server reports them (TemporalReportedProblems): a workflow
// whose every task fails shows in /metrics and in `countersign problems`, read from the
// server, with no log line parsed.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { run } from '../../src/cli/countersign';
import { listReportedProblems, serverReportsProblems } from '../../src/temporal/reported-problems';
import { startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { eventually } from '../helpers/http';
import { SECRETS } from '../helpers/provider-specs';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';

const taskQueue = uniqueId('problems');
const config = testConfig({ COUNTERSIGN_API_TOKEN: SECRETS.COUNTERSIGN_API_TOKEN }, taskQueue);
const saved = { ...process.env };
let env: TestWorkflowEnvironment;
let app: RunningApp;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  // The server's own threshold of consecutive failed tasks, lowered so the test waits seconds.
  env = await startDevServerEnv({
    extraArgs: ['--dynamic-config-value', 'system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute=2'],
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../fixtures/workflows/failing-workflow'),
  });
  running = worker.run();
  app = await startApp(config, env.client);
  process.env.TEMPORAL_ADDRESS = env.address;
}, 120_000);

afterAll(async () => {
  process.env = saved;
  await app?.close();
  worker?.shutdown();
  await running;
  await env?.teardown();
});

it('lists a workflow whose tasks keep failing, in /metrics and the CLI', async () => {
  expect(await serverReportsProblems(env.client)).toBe(true);
  const workflowId = uniqueId('stuck');
  const handle = await env.client.workflow.start('failingTaskWorkflow', { taskQueue, workflowId });
  try {
    const [problem] = await eventually(async () => {
      const found = (await listReportedProblems(env.client)).filter((p) => p.workflowId === workflowId);
      expect(found).toHaveLength(1);
      return found;
    }, 60_000);
    expect(problem).toMatchObject({
      workflowType: 'failingTaskWorkflow',
      category: 'WorkflowTaskFailed',
      cause: 'WorkflowTaskFailedCauseWorkflowWorkerUnhandledFailure',
    });

    const metrics = await (
      await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${SECRETS.COUNTERSIGN_API_TOKEN}` } })
    ).text();
    expect(metrics).toMatch(
      /^countersign_workflows_with_reported_problems\{workflow_type="failingTaskWorkflow",category="WorkflowTaskFailed"\} 1$/m,
    );

    const lines: string[] = [];
    expect(await run(['problems', '--json'], (s) => lines.push(s))).toBe(0);
    expect(JSON.parse(lines.join('\n'))).toEqual(expect.arrayContaining([expect.objectContaining({ workflowId })]));
  } finally {
    await handle.terminate('test over');
  }
  // Gone once the run is no longer running.
  await eventually(async () => {
    expect((await listReportedProblems(env.client)).map((p) => p.workflowId)).not.toContain(workflowId);
  });
}, 120_000);
