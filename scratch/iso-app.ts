import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { createApp } from '../src/app';
import { createProviders } from '../src/providers';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';
import { createDataConverter } from '../src/encryption/data-converter';
import { startCountersignWorker } from '../src/worker';
async function main() {
  const config = loadConfig();
  const connection = await NativeConnection.connect({ address: config.temporal.address! });
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.encryption) });
  const providers = createProviders(config);
  if (process.env.ISO_WORKER) await startCountersignWorker({ connection, config, providers });
  const app = createApp({ config, client, providers: Object.values(providers), logger: process.env.ISO_OLD_LOG ? createLogger(config.logLevel, require('pino').destination(1)) : createLogger(config.logLevel), metrics: createMetrics() });
  const s = app.listen(0, '127.0.0.1', () => process.send!({ port: (s.address() as any).port }));
}
main();
process.on('SIGINT', () => process.exit(0));
