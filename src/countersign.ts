// Countersign in one process: the embedded Temporal dev server (unless TEMPORAL_ADDRESS is
// set), the worker with its follow-up workers, and the HTTP server. `npm start` and
// `npm run demo` both start it this way. The Temporal runtime must be installed first
// (installTemporalRuntime).
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createApp } from './app';
import type { Config } from './config';
import { boundPort, closeHttpServer, listen } from './http-server';
import type { Logger } from './logger';
import { createMetrics } from './metrics';
import { createProviders } from './providers';
import { createShutdown, type ShutdownStep } from './shutdown';
import { temporalConnectionOptions } from './temporal/connection-options';
import { startDevServer, type DevServer } from './temporal/dev-server';
import { assertTemporalReady, readinessTarget } from './temporal/readiness';
import { startCountersignWorker } from './worker';

export interface StartCountersignOptions {
  logger: Logger;
  /** Progress while starting (the slow parts: dev server, bundling). Default: stdout. */
  say?: (line: string) => void;
}

export interface RunningCountersign {
  /** Where the worker and clients connect. */
  address: string;
  /** Set when the embedded dev server runs. */
  devServer?: DevServer;
  client: Client;
  /** The HTTP server's own URL (loopback when it listens on every address). */
  url: string;
  /** Names of the user activities the worker registered (COUNTERSIGN_ACTIVITIES_MODULE). */
  userActivities: string[];
  /** Settles when the worker stops; rejects if it fails. */
  done: Promise<void>;
  /** HTTP, then the worker, then Temporal: nothing is cut off halfway. Runs once. */
  stop(reason: string): Promise<void>;
}

export async function startCountersign(config: Config, opts: StartCountersignOptions): Promise<RunningCountersign> {
  const say = opts.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  // Shutdown steps in stopping order: what starts later stops first. If a later part fails
  // to start, what is already up is stopped (no orphaned dev server).
  const steps: ShutdownStep[] = [];
  const stop = createShutdown(steps, opts.logger);
  try {
    let devServer: DevServer | undefined;
    if (!config.temporal.address) {
      say('Starting the embedded Temporal dev server...');
      devServer = await startDevServer({ ...config.temporal.devServer, namespace: config.temporal.namespace });
      const started = devServer;
      steps.unshift(['temporal dev server', () => started.stop()]);
    }
    // The embedded dev server speaks plain gRPC; TLS and API keys are for a cluster of your own.
    const target = devServer ? { address: devServer.address } : temporalConnectionOptions(config.temporal);
    const metrics = createMetrics();

    // Native (Rust) connections cost less CPU per signal than @grpc/grpc-js (bench/README.md).
    // The receivers' client gets its own, so a backlog of callbacks never queues the worker's
    // polls and task completions behind it on one HTTP/2 channel.
    const clientConnection = await NativeConnection.connect(target);
    const workerConnection = await NativeConnection.connect(target);
    steps.unshift(['temporal connections', () => Promise.all([workerConnection.close(), clientConnection.close()]).then(() => undefined)]);
    // Fails startup naming a missing namespace or search attribute and the command that creates it.
    for (const note of await assertTemporalReady(clientConnection, readinessTarget(config.temporal, target.address))) opts.logger.warn(note);
    const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
    const providers = createProviders(config);
    for (const p of Object.values(providers)) for (const warning of p.warnings ?? []) opts.logger.warn({ provider: p.name }, warning);

    say('Bundling workflows and starting the worker...');
    // Loads COUNTERSIGN_ACTIVITIES_MODULE too; a broken module stops startup with its name.
    const running = await startCountersignWorker({ config, connection: workerConnection, providers, metrics });
    steps.unshift(['worker', () => running.stop()]);

    const app = createApp({ config, client, providers: Object.values(providers), logger: opts.logger, metrics });
    const server = await listen(app, config.http.port, config.http.host);
    steps.unshift(['http', () => closeHttpServer(server, config.shutdownTimeoutMs)]);

    const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;
    return {
      address: target.address,
      devServer,
      client,
      url: `http://${host}:${boundPort(server)}`,
      userActivities: running.userActivities,
      done: running.done,
      stop,
    };
  } catch (err) {
    await stop('startup failed');
    throw err;
  }
}
