// A Countersign worker in a process of its own, so tests can kill it mid-work (SIGKILL) the
// way a crash or an OOM kill would. Configured like `npm run worker`, by environment, plus
// WORKFLOW_BUNDLE_PATH: a prebuilt workflow bundle, so it starts in a second.
import { DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { startCountersignWorker } from '../../src/worker';

async function main() {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
    shutdownSignals: [],
  });
  const config = loadConfig();
  const connection = await NativeConnection.connect({ address: config.temporal.address! });
  // The workflow worker and the per-provider follow-up workers, as `npm run worker` runs them.
  const running = await startCountersignWorker({ config, connection, workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } });
  process.on('SIGTERM', () => void running.stop());
  process.stdout.write('worker running\n');
  await running.done;
  await connection.close();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
