// Countersign in one process: the embedded Temporal dev server (unless TEMPORAL_ADDRESS is
// set), the worker with its follow-up workers, and the HTTP server. `npm start` and
// `npm run demo` both start it this way.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import type { Config } from './config';
import type { Logger } from './logger';
import { createMetrics } from './metrics';
import { createProviders } from './providers';
import { startDevServer, type DevServer } from './temporal/dev-server';
import { createFollowUpWorkers } from './temporal/follow-up-workers';
import type { UserActivities } from './user-activities';
import { createWorker } from './worker';

export interface StartCountersignOptions {
  logger: Logger;
  /** The user's own activities, usable as post-signing steps. */
  userActivities?: UserActivities;
  /** Progress while starting (the slow parts: dev server, bundling). */
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
  /** Settles when the workers stop; rejects if one fails. */
  done: Promise<void>;
  /** HTTP, then the workers, then Temporal: nothing is cut off halfway. */
  stop(): Promise<void>;
}

export async function startCountersign(config: Config, opts: StartCountersignOptions): Promise<RunningCountersign> {
  const say = opts.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  let devServer: DevServer | undefined;
  if (!config.temporal.address) {
    say('Starting the embedded Temporal dev server...');
    devServer = await startDevServer({ ...config.temporal.devServer, namespace: config.temporal.namespace });
  }
  const address = config.temporal.address ?? devServer!.address;

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const nativeConnection = await NativeConnection.connect({ address });
  const providers = createProviders(config);
  for (const p of Object.values(providers)) for (const warning of p.warnings ?? []) opts.logger.warn({ provider: p.name }, warning);

  say('Bundling workflows and starting the worker...');
  const worker = await createWorker({ connection: nativeConnection, config, providers, options: { activities: opts.userActivities ?? {} } });
  const followUpWorkers = await createFollowUpWorkers({ connection: nativeConnection, config, providers });
  const done = Promise.all([worker.run(), ...followUpWorkers.map((w) => w.run())]).then(() => undefined);

  const app = createApp({ config, client, providers: Object.values(providers), logger: opts.logger, metrics: createMetrics() });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.http.port, config.http.host, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;

  return {
    address,
    devServer,
    client,
    url: `http://${host}:${port}`,
    done,
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
      for (const w of [worker, ...followUpWorkers]) if (w.getState() === 'RUNNING') w.shutdown();
      await done.catch(() => undefined);
      await nativeConnection.close();
      await connection.close();
      await devServer?.stop();
    },
  };
}
