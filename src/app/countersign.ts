// Countersign on one machine: the embedded Temporal dev server (unless TEMPORAL_ADDRESS is
// set), the worker with its follow-up workers (in this process, or supervised in a child
// process), and the HTTP server. `npm start` and `npm run demo` both start it this way. The Temporal runtime must be installed first
// (installTemporalRuntime).
import type { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createApp } from './app';
import { checkApiExposure } from '../api/api-exposure';
import { BUILT_IN_STEPS, unknownDefaultSteps } from '../api/known-steps';
import { UserActivitiesError } from '../activities/user-activities';
import type { Config } from '../config';
import { boundPort, closeHttpServer, listen } from '../platform/http-server';
import type { Logger } from '../platform/logger';
import { createMetrics } from '../platform/metrics';
import { createAccountReceivers, createProviders } from '../providers';
import { assertPortFree } from '../platform/port-check';
import { createShutdown, type ShutdownStep } from '../platform/shutdown';
import { temporalConnectionOptions } from '../temporal/connection-options';
import { startDevServer, type DevServer } from './dev-server';
import { superviseWorker } from './worker-supervisor';
import { writeStartupBundle } from '../temporal/workflow-bundle';
import { assertTemporalReady, readinessTarget } from '../temporal/readiness';
import { startCountersignWorker } from './worker';
import { ensureDevCodecToken, ensureDevKeys } from '../encryption/dev-secrets';
import { warnIfPlaintext } from './plaintext-warning';
import { engineClient } from '../temporal/engine-client';
import { setCurrentVersion } from '../temporal/worker-deployment';

export interface StartCountersignOptions {
  logger: Logger;
  /** Progress while starting (the slow parts: dev server, bundling). Default: stdout. */
  say?: (line: string) => void;
  /**
   * `child` (`npm start`): the worker runs in a process of its own, restarted when it dies, so
   * the receivers keep answering. Default `inline`: one process (the demo).
   */
  workerProcess?: 'inline' | 'child';
}

export interface RunningCountersign {
  /** Where the worker and clients connect. */
  address: string;
  /** Set when the embedded dev server runs. */
  devServer?: DevServer;
  client: Client;
  /** The HTTP server's own URL (loopback when it listens on every address). */
  url: string;
  /** Where payload keys come from; `dev` is the key file made in the data folder. */
  encryption: { keyIds: string[]; source?: string; file?: string };
  /** The codec server's base URL (token not included), when it runs. */
  codecUrl?: string;
  /** Where the codec token is, when `npm start` made it (else COUNTERSIGN_CODEC_TOKEN). */
  codecTokenFile?: string;
  /** Names of the user activities the worker registered (COUNTERSIGN_ACTIVITIES_MODULE). */
  userActivities: string[];
  /** The worker process's pid, when it runs in one of its own (`workerProcess: 'child'`). */
  workerPid?: () => number | undefined;
  /** Settles when the worker stops; rejects if it fails (a supervised worker never settles). */
  done: Promise<void>;
  /** HTTP, then the worker, then Temporal: nothing is cut off halfway. Runs once. */
  stop(reason: string): Promise<void>;
}

/**
 * With the embedded dev server and nothing configured: a development key and codec token from
 * the data folder, and the embedded UI's own origins, so a local operator reads payloads in
 * the UI while Temporal itself holds ciphertext.
 */
function withDevSecrets(config: Config): { config: Config; keyFile?: string; tokenFile?: string } {
  if (config.temporal.address) return { config };
  const dataDir = config.temporal.devServer.dataDir;
  const dev = config.encryption.keys.length === 0 ? ensureDevKeys(dataDir) : undefined;
  const devToken = config.codec.token === undefined ? ensureDevCodecToken(dataDir) : undefined;
  const token = config.codec.token ?? devToken!.token;
  const ui = config.temporal.devServer.uiPort;
  const origins =
    config.codec.origins.length > 0 ? config.codec.origins : [`http://127.0.0.1:${ui}`, `http://localhost:${ui}`];
  return {
    config: {
      ...config,
      encryption: dev ? { keys: dev.keys, source: 'dev' as const } : config.encryption,
      codec: { token, origins },
    },
    keyFile: dev?.file,
    tokenFile: devToken?.file,
  };
}

export async function startCountersign(given: Config, opts: StartCountersignOptions): Promise<RunningCountersign> {
  const { config, keyFile, tokenFile } = withDevSecrets(given);
  warnIfPlaintext(config, opts.logger);
  const httpHost = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  const codecUrl =
    config.codec.token && config.encryption.keys.length > 0
      ? `http://${httpHost}:${config.http.port}/codec`
      : undefined;
  const say = opts.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  checkApiExposure(config.http);
  // Shutdown steps in stopping order: what starts later stops first. If a later part fails
  // to start, what is already up is stopped (no orphaned dev server).
  const steps: ShutdownStep[] = [];
  const stop = createShutdown(steps, opts.logger);
  try {
    // Before the dev server starts: finding PORT taken afterwards would cost its start and stop.
    await assertPortFree(config.http.port, config.http.host, 'PORT');
    let devServer: DevServer | undefined;
    if (!config.temporal.address) {
      say('Starting the embedded Temporal dev server...');
      devServer = await startDevServer({
        ...config.temporal.devServer,
        namespace: config.temporal.namespace,
        // The token rides in the path: the embedded UI has no login whose token it could pass.
        ...(codecUrl && { codecEndpoint: `${codecUrl}/${config.codec.token}` }),
      });
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
    steps.unshift(['temporal connection', () => clientConnection.close()]);
    // Fails startup naming a missing namespace or search attribute and the command that creates it.
    for (const note of await assertTemporalReady(clientConnection, readinessTarget(config.temporal, target.address)))
      opts.logger.warn(note);
    const client = engineClient(clientConnection, config);
    const providers = createProviders(config);
    for (const p of [...Object.values(providers), ...createAccountReceivers(config)])
      for (const warning of p.warnings ?? []) opts.logger.warn({ provider: p.name, account: p.account }, warning);

    say('Bundling workflows and starting the worker...');
    // Loads COUNTERSIGN_ACTIVITIES_MODULE too; a broken module stops startup with its name.
    let worker: { userActivities: string[]; done: Promise<void>; workerPid?: () => number | undefined };
    if (opts.workerProcess === 'child') {
      const bundle =
        config.temporal.workflowBundlePath ?? (await writeStartupBundle(config.temporal.devServer.dataDir));
      const supervised = await superviseWorker({
        // The worker reads its configuration anew; the development key is handed over by file.
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: target.address,
          WORKFLOW_BUNDLE_PATH: bundle,
          ...(keyFile && { COUNTERSIGN_ENCRYPTION_KEYS_FILE: keyFile }),
        },
        logger: opts.logger,
        metrics,
        restart: config.workerRestart,
        stopTimeoutMs: config.shutdownTimeoutMs,
      });
      steps.unshift(['worker', () => supervised.stop()]);
      worker = {
        userActivities: supervised.userActivities,
        done: new Promise<void>(() => undefined),
        workerPid: () => supervised.pid(),
      };
    } else {
      const workerConnection = await NativeConnection.connect(target);
      steps.unshift(['worker connection', () => workerConnection.close()]);
      const running = await startCountersignWorker({ config, connection: workerConnection, providers, metrics });
      steps.unshift(['worker', () => running.stop()]);
      worker = running;
    }

    const version = config.temporal.deploymentVersion;
    // One machine, one worker: the version it runs is the current one. On a cluster of your own
    // the deploy makes a version current (docs/upgrading.md).
    if (devServer && version) await setCurrentVersion(client, version);

    // The worker runs beside the API here, so registration can check step names against it.
    const knownSteps = [...BUILT_IN_STEPS, ...worker.userActivities];
    const unknownDefaults = unknownDefaultSteps(config.engine.defaultSteps, new Set(knownSteps));
    if (unknownDefaults.length > 0) {
      throw new UserActivitiesError(
        `POST_SIGNING_STEPS: ${unknownDefaults.join('; ')} (known: ${knownSteps.join(', ')})`,
      );
    }
    const app = createApp({
      config,
      client,
      providers: Object.values(providers),
      logger: opts.logger,
      metrics,
      knownSteps,
    });
    const server = await listen(app, config.http.port, config.http.host, config.http);
    steps.unshift(['http', () => closeHttpServer(server, config.shutdownTimeoutMs)]);

    const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;
    return {
      address: target.address,
      devServer,
      client,
      url: `http://${host}:${boundPort(server)}`,
      encryption: { keyIds: config.encryption.keys.map((k) => k.id), source: config.encryption.source, file: keyFile },
      codecUrl,
      codecTokenFile: tokenFile,
      userActivities: worker.userActivities,
      workerPid: worker.workerPid,
      done: worker.done,
      stop,
    };
  } catch (err) {
    await stop('startup failed');
    throw err;
  }
}
