// A Countersign worker in a process of its own, so tests can kill it mid-work (SIGKILL) the
// way a crash or an OOM kill would. Configured like `npm run worker`, by environment, plus
// WORKFLOW_BUNDLE_PATH: a prebuilt workflow bundle, so it starts in a second.
import { DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { createProviders } from '../../src/providers';
import { createWorker } from '../../src/worker';

async function main() {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
    shutdownSignals: [],
  });
  const config = loadConfig();
  const connection = await NativeConnection.connect({ address: config.temporal.address! });
  const worker = await createWorker({
    connection,
    config,
    providers: createProviders(config),
    workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! },
  });
  const running = worker.run();
  process.on('SIGTERM', () => worker.shutdown());
  process.stdout.write('worker running\n');
  await running;
  await connection.close();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
