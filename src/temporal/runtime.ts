// The Temporal SDK's native runtime, installed once per process before any NativeConnection.
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Config } from '../config';

/**
 * Quiet SDK logs, no signal handling of its own (each entrypoint stops things in order), and
 * the SDK's own metrics (workflow task latency, activity failures, poller counts, ...) on
 * their own Prometheus port when TEMPORAL_METRICS_PORT is set. Returns that scrape URL.
 */
// Follow-up workers are activity-only on purpose; the SDK warns about that once per worker.
const EXPECTED = /^No workflows registered, not polling for workflow tasks/;

function quietLog(entry: LogEntry): void {
  if (entry.level === 'WARN' && EXPECTED.test(entry.message)) return;
  const meta = entry.meta && Object.keys(entry.meta).length ? entry.meta : '';
  console.error(`${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message}`, meta);
}

export function installTemporalRuntime(config: Config): string | undefined {
  const port = config.temporal.metricsPort;
  const bindAddress = port === undefined ? undefined : `${config.http.host}:${port}`;
  Runtime.install({
    logger: new DefaultLogger('WARN', quietLog),
    shutdownSignals: [],
    ...(bindAddress && {
      telemetryOptions: {
        metrics: { prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true } },
      },
    }),
  });
  if (!bindAddress) return undefined;
  const host = config.http.host === '0.0.0.0' ? 'localhost' : config.http.host;
  return `http://${host}:${port}/metrics`;
}
