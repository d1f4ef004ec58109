// `npm run server`: the receivers and the application API alone, joining the cluster at
// TEMPORAL_ADDRESS. Any number of these run behind a load balancer; they hold no state.
import { NativeConnection } from '@temporalio/worker';
import { createApp } from './app/app';
import { checkApiExposure } from './api/api-exposure';
import { loadEnvFile } from './platform/env-file';
import { PortTakenError } from './platform/port-check';
import { ConfigError, loadConfig } from './config';
import { boundPort, closeHttpServer, listen } from './platform/http-server';
import { createLogger } from './platform/logger';
import { createMetrics } from './platform/metrics';
import { createProviders } from './providers';
import { createShutdown, stopOnSignals } from './platform/shutdown';
import { warnIfPlaintext } from './app/plaintext-warning';
import { temporalConnectionOptions } from './temporal/connection-options';
import { assertTemporalReady, readinessTarget } from './temporal/readiness';
import { installTemporalRuntime } from './temporal/runtime';
import { engineClient } from './temporal/engine-client';
import { stopTracing } from './tracing/provider';

async function main() {
  loadEnvFile();
  const config = loadConfig();
  checkApiExposure(config.http);
  const logger = createLogger(config.logLevel);
  installTemporalRuntime(config, { logger });
  warnIfPlaintext(config, logger);
  // The native (Rust) connection: less CPU per signal than @grpc/grpc-js (bench/README.md).
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  // Receivers that cannot start a workflow must not take traffic: stop here, saying what to fix.
  try {
    for (const note of await assertTemporalReady(connection, readinessTarget(config.temporal)))
      logger.warn({ role: 'server' }, note);
  } catch (err) {
    await connection.close();
    throw err;
  }
  const client = engineClient(connection, config);
  const app = createApp({
    config,
    client,
    providers: Object.values(createProviders(config)),
    logger,
    metrics: createMetrics(),
  });
  const server = await listen(app, config.http.port, config.http.host, config.http);
  logger.info(
    { role: 'server', namespace: config.temporal.namespace, port: boundPort(server) },
    'receivers and API listening',
  );

  stopOnSignals(
    createShutdown(
      [
        ['http', () => closeHttpServer(server, config.shutdownTimeoutMs)],
        ['temporal connection', () => connection.close()],
        ['tracing', stopTracing],
      ],
      logger,
    ),
  );
}

main().catch((err) => {
  console.error(
    err instanceof ConfigError || err instanceof PortTakenError
      ? err.message
      : `Countersign server failed to start: ${err instanceof Error ? err.message : err}`,
  );
  process.exit(1);
});
