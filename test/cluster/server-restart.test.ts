// Against the native cluster only (`npm run test:cluster`, which sets COUNTERSIGN_CLUSTER_SCRIPT):
// the Temporal server process is restarted under a running worker and receivers, PostgreSQL
// kept. Callbacks sent meanwhile are accepted or answered "retry later" (never a 500), and
// afterwards every accepted one, from before, during and after, is in its transaction's state.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createProviders } from '../../src/providers';
import { getState } from '../../src/temporal/transactions';
import { testConfig } from '../helpers/config';
import { existingCluster } from '../helpers/existing-cluster';
import { send } from '../helpers/http';
import { eventKeys, SECRETS, SPECS, workflowIdOf, type CallbackMessage } from '../helpers/provider-specs';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';

const script = process.env.COUNTERSIGN_CLUSTER_SCRIPT;
const spec = SPECS.find((s) => s.provider === 'signicat')!;

(existingCluster() && script ? describe : describe.skip)('a Temporal server restart', () => {
  let env: TestWorkflowEnvironment;
  let stack: Stack;

  afterAll(async () => {
    await stack?.stop();
    await env?.teardown();
  });

  it('loses no accepted callback and answers nothing but 2xx or 503 meanwhile', async () => {
    env = await startDevServerEnv();
    const config = testConfig({ ...SECRETS });
    stack = await startStack(env, config);
    const providers = createProviders(config);
    const accepted: Array<{ id: string; keys: string[] }> = [];
    const statuses = new Set<number>();
    const deliver = async (id: string, m: CallbackMessage) => {
      const res = await send(stack.app.url, {
        path: m.path,
        headers: { 'content-type': 'application/json', ...m.headers },
        body: JSON.stringify(m.body),
      }).catch(() => ({ status: 0 }));
      statuses.add(res.status);
      if (res.status >= 200 && res.status < 300) accepted.push({ id, keys: eventKeys(providers, spec, m) });
    };

    const ids = Array.from({ length: 20 }, () => uniqueId('restart'));
    for (const id of ids) await deliver(id, spec.progress(id, 1));
    expect(accepted).toHaveLength(ids.length);

    // Callbacks keep coming while the server restarts.
    let restarting = true;
    const restart = promisify(execFile)('bash', [script!, 'restart-temporal']).finally(() => (restarting = false));
    let n = 2;
    while (restarting) {
      for (const id of ids) await deliver(id, spec.progress(id, n));
      n++;
    }
    await restart;
    for (const id of ids) await deliver(id, spec.valid(id));

    expect([...statuses].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    const missing: string[] = [];
    for (const { id, keys } of accepted) {
      const workflowId = workflowIdOf(spec, id);
      let state = await getState(env.client, workflowId);
      for (let i = 0; i < 100 && state && !keys.every((k) => state!.events.some((e) => e.key === k)); i++) {
        await new Promise((r) => setTimeout(r, 300));
        state = await getState(env.client, workflowId);
      }
      for (const k of keys) if (!state?.events.some((e) => e.key === k)) missing.push(`${workflowId} ${k}`);
    }
    expect(missing).toEqual([]);
  }, 300_000);
});
