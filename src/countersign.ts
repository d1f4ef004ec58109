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
  // What is up so far, undone in reverse if a later part fails (no orphaned dev server).
  const undo: Array<() => Promise<unknown>> = [];
  const unwind = async () => {
    for (const step of undo.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    let devServer: DevServer | undefined;
    if (!config.temporal.address) {
      say('Starting the embedded Temporal dev server...');
      devServer = await startDevServer({ ...config.temporal.devServer, namespace: config.temporal.namespace });
      undo.push(() => devServer!.stop());
    }
    const address = config.temporal.address ?? devServer!.address;

    const connection = await Connection.connect({ address });
    undo.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const nativeConnection = await NativeConnection.connect({ address });
    undo.push(() => nativeConnection.close());
    const providers = createProviders(config);
    for (const p of Object.values(providers)) for (const warning of p.warnings ?? []) opts.logger.warn({ provider: p.name }, warning);

    say('Bundling workflows and starting the worker...');
    const worker = await createWorker({ connection: nativeConnection, config, providers, options: { activities: opts.userActivities ?? {} } });
    const followUpWorkers = await createFollowUpWorkers({ connection: nativeConnection, config, providers });
    const workers = [worker, ...followUpWorkers];
    const done = Promise.all(workers.map((w) => w.run())).then(() => undefined);
    undo.push(async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done.catch(() => undefined);
    });

    const app = createApp({ config, client, providers: Object.values(providers), logger: opts.logger, metrics: createMetrics() });
    const server: Server = await new Promise((resolve, reject) => {
      // Express 5 hands a listen error (port taken) to this callback.
      const s = app.listen(config.http.port, config.http.host, (err?: Error) => (err ? reject(err) : resolve(s)));
    });
    undo.push(() => new Promise<void>((r) => server.close(() => r())));
    const { port } = server.address() as AddressInfo;
    const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;

    return { address, devServer, client, url: `http://${host}:${port}`, done, stop: unwind };
  } catch (err) {
    await unwind();
    throw err;
  }
}
