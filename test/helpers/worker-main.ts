// A Countersign worker in a process of its own, so tests can kill it mid-work (SIGKILL) the
// way a crash or an OOM kill would. Configured like `npm run worker`, by environment, plus
// WORKFLOW_BUNDLE_PATH: a prebuilt workflow bundle, so it starts in a second.
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal/connection-options';
import { installTemporalRuntime } from '../../src/temporal/runtime';
import { startCountersignWorker } from '../../src/worker';

async function main() {
  const config = loadConfig();
  // As `npm run worker`: the core's log lines forwarded to our logger (at LOG_LEVEL), none of
  // its own signal handling. No SDK metrics port: several of these run side by side.
  installTemporalRuntime(config, { onLog: () => undefined, sdkMetrics: false });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  // The workflow worker and the per-provider follow-up workers, as `npm run worker` runs them.
  const running = await startCountersignWorker({ config, connection });
  process.on('SIGTERM', () => void running.stop());
  process.stdout.write('worker running\n');
  await running.done;
  await connection.close();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
