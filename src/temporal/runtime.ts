// The Temporal SDK's native runtime, installed once per process before any NativeConnection.
import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Config } from '../config';
import { createLogger, type Logger } from '../platform/logger';

// Follow-up workers are activity-only on purpose; the SDK warns about that once per worker.
const EXPECTED = /^No workflows registered, not polling for workflow tasks/;

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

// What of the SDK's metadata reaches our logs. Everything else stays out: task tokens (they
// let anyone complete the task), activity and signal arguments (personal data), stacks.
const KEPT_META = new Set([
  'sdkComponent',
  'taskQueue',
  'namespace',
  'workflowId',
  'runId',
  'workflowType',
  'activityId',
  'activityType',
  'attempt',
  'isLocal',
]);

/** The SDK's log entry as one of our JSON lines: level, message, safe identifiers, an error's name and message. */
export function sdkLogFields(entry: LogEntry): Record<string, unknown> {
  const fields: Record<string, unknown> = { source: 'temporal-sdk' };
  for (const [key, value] of Object.entries(entry.meta ?? {})) {
    if (KEPT_META.has(key) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'))
      fields[key] = value;
    else if (value instanceof Error) fields[key] = `${value.name}: ${value.message.split('\n')[0]}`;
  }
  return fields;
}

function forwardTo(logger: Logger) {
  return (entry: LogEntry): void => {
    if (entry.level === 'WARN' && EXPECTED.test(entry.message)) return;
    logger[LEVELS[entry.level]](sdkLogFields(entry), entry.message.split('\n')[0]);
  };
}

export interface RuntimeOptions {
  /** Where SDK log lines go; default a logger at the configured level. */
  logger?: Logger;
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
 * SDK logs at WARN and above as our own JSON lines, no signal handling of its own (each
 * entrypoint stops things in order), and the SDK's own metrics (workflow task latency,
 * activity failures, poller counts, ...) on their own Prometheus port when
 * TEMPORAL_METRICS_PORT is set. Returns that scrape URL.
 */
export function installTemporalRuntime(config: Config, opts: RuntimeOptions = {}): string | undefined {
  const port = opts.sdkMetrics === false ? undefined : config.temporal.metricsPort;
  const bindAddress = port === undefined ? undefined : `${config.http.host}:${port}`;
  const forward = forwardTo(opts.logger ?? createLogger(config.logLevel));
  const onLog = opts.onLog;
  Runtime.install({
    logger: new DefaultLogger('WARN', onLog ? (entry) => (onLog(entry), forward(entry)) : forward),
    shutdownSignals: [],
    telemetryOptions: {
      ...(onLog && { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } }),
      ...(bindAddress && {
        metrics: { prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true } },
      }),
    },
  });
  return bindAddress ? sdkMetricsUrl(config) : undefined;
}
