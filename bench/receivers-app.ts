// The receivers alone, for `npm run bench:receivers`: the HTTP app and its Temporal client as
// `npm run server` runs them, with no worker in the process, so its CPU is the receivers' own.
import { NativeConnection } from '@temporalio/worker';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app/app';
import { loadConfig } from '../src/config';
import { listen } from '../src/platform/http-server';
import { createLogger } from '../src/platform/logger';
import { createMetrics } from '../src/platform/metrics';
import { createProviders } from '../src/providers';
import { temporalConnectionOptions } from '../src/temporal/connection-options';
import { announceReady, serve } from './rpc';
import { engineClient } from '../src/temporal/engine-client';

async function main() {
  const config = loadConfig();
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const client = engineClient(connection, config);
  const app = createApp({
    config,
    client,
    providers: Object.values(createProviders(config)),
    logger: createLogger(config.logLevel),
    metrics: createMetrics(),
  });
  const server = await listen(app, 0, '127.0.0.1', config.http);
  serve({}, async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await connection.close();
  });
  announceReady({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pid: process.pid });
}

main().catch((err) => {
  console.error('bench receivers app failed:', err);
  process.exit(1);
});
