// The Temporal SDK's native runtime, installed once per process before any NativeConnection.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Config } from '../config';

/**
 * Quiet SDK logs, no signal handling of its own (each entrypoint stops things in order), and
 * the SDK's own metrics (workflow task latency, activity failures, poller counts, ...) on
 * their own Prometheus port when TEMPORAL_METRICS_PORT is set. Returns that scrape URL.
 */
export function installTemporalRuntime(config: Config): string | undefined {
  const port = config.temporal.metricsPort;
  const bindAddress = port === undefined ? undefined : `${config.http.host}:${port}`;
  Runtime.install({
    logger: new DefaultLogger('WARN'),
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
