// The Temporal SDK's native runtime, installed once per process before any NativeConnection.
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Config } from '../config';
import { createLogger, type Logger } from '../logger';

// Follow-up workers are activity-only on purpose; the SDK warns about that once per worker.
const EXPECTED = /^No workflows registered, not polling for workflow tasks/;

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

// What of the SDK's metadata reaches our logs. Everything else stays out: task tokens (they
// let anyone complete the task), activity and signal arguments (personal data), stacks.
const KEPT_META = new Set(['sdkComponent', 'taskQueue', 'namespace', 'workflowId', 'runId', 'workflowType', 'activityId', 'activityType', 'attempt', 'isLocal']);

/** The SDK's log entry as one of our JSON lines: level, message, safe identifiers, an error's name and message. */
export function sdkLogFields(entry: LogEntry): Record<string, unknown> {
  const fields: Record<string, unknown> = { source: 'temporal-sdk' };
  for (const [key, value] of Object.entries(entry.meta ?? {})) {
    if (KEPT_META.has(key) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) fields[key] = value;
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

/**
 * SDK logs at WARN and above as our own JSON lines (through `logger`, else one at the
 * configured level), no signal handling of its own (each entrypoint stops things in order),
 * and the SDK's own metrics (workflow task latency, activity failures, poller counts, ...) on
 * their own Prometheus port when TEMPORAL_METRICS_PORT is set. Returns that scrape URL.
 */
export function installTemporalRuntime(config: Config, logger: Logger = createLogger(config.logLevel)): string | undefined {
  const port = config.temporal.metricsPort;
  const bindAddress = port === undefined ? undefined : `${config.http.host}:${port}`;
  Runtime.install({
    logger: new DefaultLogger('WARN', forwardTo(logger)),
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
