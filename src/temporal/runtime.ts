// The Temporal SDK's native runtime, installed once per process before any NativeConnection.
import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogEntry } from '@temporalio/worker';
import type { Config } from '../config';

// Follow-up workers are activity-only on purpose; the SDK warns about that once per worker.
const EXPECTED = /^No workflows registered, not polling for workflow tasks/;

function quietLog(entry: LogEntry): void {
  if (entry.level === 'WARN' && EXPECTED.test(entry.message)) return;
  const meta = entry.meta && Object.keys(entry.meta).length ? entry.meta : '';
  console.error(`${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message}`, meta);
}

export interface RuntimeOptions {
  /**
   * Sees every SDK log entry at WARN and above, the native core's included (forwarded), e.g.
   * to count failed workflow tasks (workflow-task-failures.ts). Worker processes set it.
   */
  onLog?: (entry: LogEntry) => void;
  /** Whether this process binds TEMPORAL_METRICS_PORT (default true; one process per port). */
  sdkMetrics?: boolean;
}

/** Where TEMPORAL_METRICS_PORT is scraped, when set. */
export function sdkMetricsUrl(config: Config): string | undefined {
  const port = config.temporal.metricsPort;
  if (port === undefined) return undefined;
  const host = config.http.host === '0.0.0.0' ? 'localhost' : config.http.host;
  return `http://${host}:${port}/metrics`;
}

/**
 * Quiet SDK logs, no signal handling of its own (each entrypoint stops things in order), and
 * the SDK's own metrics (workflow task latency, activity failures, poller counts, ...) on
 * their own Prometheus port when TEMPORAL_METRICS_PORT is set. Returns that scrape URL.
 */
export function installTemporalRuntime(config: Config, opts: RuntimeOptions = {}): string | undefined {
  const port = opts.sdkMetrics === false ? undefined : config.temporal.metricsPort;
  const bindAddress = port === undefined ? undefined : `${config.http.host}:${port}`;
  const onLog = opts.onLog;
  Runtime.install({
    logger: new DefaultLogger('WARN', onLog ? (entry) => (onLog(entry), quietLog(entry)) : quietLog),
    shutdownSignals: [],
    telemetryOptions: {
      ...(onLog && { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } }),
      ...(bindAddress && { metrics: { prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true } } }),
    },
  });
  return bindAddress ? sdkMetricsUrl(config) : undefined;
}
