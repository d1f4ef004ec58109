// Against a real cluster only (COUNTERSIGN_TEST_TEMPORAL_ADDRESS; `npm run test:cluster`):
// two worker processes and two receiver processes share the cluster, one worker is SIGKILLed
// while callbacks stream in, and every callback a receiver accepted (2xx) is found in its
// transaction's state afterwards. Nothing is mocked: processes, HTTP, Temporal on PostgreSQL.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createProviders } from '../../src/providers';
import { getState } from '../../src/temporal/transactions';
import { testConfig } from '../helpers/config';
import { existingCluster } from '../helpers/existing-cluster';
import { send } from '../helpers/http';
import { freePort } from '../helpers/ports';
import { eventKeys, SECRETS, SPECS, workflowIdOf, type CallbackMessage } from '../helpers/provider-specs';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const cluster = existingCluster();
const TRANSACTIONS = 150;
const spec = SPECS.find((s) => s.provider === 'signicat')!;

function startReceivers(env: Record<string, string>, port: number): ChildProcess {
  const root = join(__dirname, '..', '..');
  return spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'src', 'server.ts')], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
}

async function untilReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`receivers exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never ready`);
}

(cluster ? describe : describe.skip)('two workers and two receiver processes on the cluster', () => {
  let env: TestWorkflowEnvironment;
  const workers: WorkerProcess[] = [];
  const receivers: ChildProcess[] = [];

  afterAll(async () => {
    for (const r of receivers) if (r.exitCode === null) r.kill('SIGTERM');
    for (const w of workers) await w.stop('SIGKILL');
    await env?.teardown();
  });

  it('keeps every accepted callback when a worker is SIGKILLed under load', async () => {
    env = await startDevServerEnv();
    const config = testConfig({ ...SECRETS });
    const roleEnv = {
      ...SECRETS,
      TEMPORAL_ADDRESS: cluster!.address,
      TEMPORAL_NAMESPACE: config.temporal.namespace,
      TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    };
    workers.push(await startWorkerProcess(roleEnv), await startWorkerProcess(roleEnv));
    const urls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const child = startReceivers(roleEnv, port);
      receivers.push(child);
      urls.push(`http://127.0.0.1:${port}`);
      await untilReady(urls[i], child);
    }

    const providers = createProviders(config);
    const messages: Array<{ id: string; m: CallbackMessage }> = [];
    for (let i = 0; i < TRANSACTIONS; i++) {
      const id = uniqueId('mp');
      messages.push({ id, m: spec.progress(id, 1) }, { id, m: spec.valid(id) });
    }
    const accepted: Array<{ id: string; keys: string[] }> = [];
    let sent = 0;
    let killed = false;
    const next = async (): Promise<void> => {
      for (;;) {
        const i = sent++;
        if (i >= messages.length) return;
        // A third of the way in, the first worker dies without a chance to clean up.
        if (!killed && i >= messages.length / 3) {
          killed = true;
          await workers[0].stop('SIGKILL');
        }
        const { id, m } = messages[i];
        const res = await send(urls[i % 2], {
          path: m.path,
          headers: { 'content-type': 'application/json', ...m.headers },
          body: JSON.stringify(m.body),
        });
        if (res.status >= 200 && res.status < 300) accepted.push({ id, keys: eventKeys(providers, spec, m) });
      }
    };
    await Promise.all(Array.from({ length: 16 }, () => next()));
    expect(killed).toBe(true);
    // Under a kill some answers may be 503 (the provider retries those); most are accepted.
    expect(accepted.length).toBeGreaterThan(messages.length / 2);

    const missing: string[] = [];
    for (const { id, keys } of accepted) {
      const workflowId = workflowIdOf(spec, id);
      let state = await getState(env.client, workflowId);
      // The surviving worker takes over the dead one's workflows once their task times out.
      for (let i = 0; i < 100 && state && !keys.every((k) => state!.events.some((e) => e.key === k)); i++) {
        await new Promise((r) => setTimeout(r, 300));
        state = await getState(env.client, workflowId);
      }
      for (const k of keys) if (!state?.events.some((e) => e.key === k)) missing.push(`${workflowId} ${k}`);
    }
    expect(missing).toEqual([]);
  }, 300_000);
});
