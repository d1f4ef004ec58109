// How fast do follow-ups reach a provider when many transactions fall silent at once?
// Real dev server, real worker, the Evrotrust simulator; prints the busiest second.
//   npx tsx bench/follow-up-rate-limit.ts [transactions=200] [rate=5] [taskQueuePerProvider=true]
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { createDataConverter } from '../src/encryption/data-converter';
import { newKeyEntry } from '../src/encryption/keys';
import { createProviders } from '../src/providers';
import { ALL_SEARCH_ATTRIBUTES } from '../src/common/search-attributes';
import { EvrotrustSimulator } from '../src/simulators';
import { temporalCliPath } from '../src/app/binaries';
import { registerTransaction } from '../src/temporal/transactions';
import { startCountersignWorker } from '../src/worker';

async function main() {
  const count = Number(process.argv[2] ?? 200);
  const rate = Number(process.argv[3] ?? 5);
  const perProviderQueue = process.argv[4] ?? 'true';
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const sim = new EvrotrustSimulator({ apiKey: 'k', vendorNumber: 'v' });
  await sim.start();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      extraArgs: ['--log-level', 'error'],
    },
  });
  const config = loadConfig({
    TEMPORAL_TASK_QUEUE: `bench-${Date.now()}`,
    LOG_LEVEL: 'silent',
    EVROTRUST_API_URL: sim.url,
    EVROTRUST_API_KEY: 'k',
    EVROTRUST_VENDOR_NUMBER: 'v',
    EVROTRUST_API_RATE_LIMIT: String(rate),
    EVROTRUST_FOLLOW_UP_FIRST_AFTER: '2s',
    EVROTRUST_FOLLOW_UP_MAX_INTERVAL: '1 day',
    FOLLOW_UP_TASK_QUEUES: perProviderQueue,
    COUNTERSIGN_ENCRYPTION_KEYS: newKeyEntry('bench'),
  });
  const dataConverter = createDataConverter(config.encryption);
  const workers = await startCountersignWorker({
    config,
    connection: env.nativeConnection,
    providers: createProviders(config),
  });

  for (let i = 0; i < count; i++) {
    const tx = sim.createTransaction({ transactionID: `bench-${i}` });
    await sim.setStatus(tx.transactionID, 2, { callback: false });
  }
  const client = new Client({ connection: env.connection, dataConverter });
  const ctx = { client, taskQueue: config.temporal.taskQueue, engine: config.engine };
  const started = Date.now();
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      registerTransaction(ctx, { provider: 'evrotrust', kind: 'signing', externalId: `bench-${i}` }, {}),
    ),
  );
  const registered = Date.now() - started;
  while (sim.server.requests.length < count) await new Promise((r) => setTimeout(r, 200));
  const at = sim.server.requests.map((r) => r.at).sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[i] - at[j] >= 1000) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  const spread = (at.at(-1)! - at[0]) / 1000;
  console.log(
    JSON.stringify({
      transactions: count,
      rateLimit: rate,
      taskQueuePerProvider: perProviderQueue,
      registerMs: registered,
      pollsSpreadSeconds: spread,
      averagePerSecond: +(count / spread).toFixed(2),
      busiestSecond: busiest,
    }),
  );
  await workers.stop();
  await workers.done;
  await env.teardown();
  await sim.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
