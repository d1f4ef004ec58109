// A whole Countersign against a real Temporal server: worker + HTTP app on loopback.
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDataConverter } from '../../src/encryption/data-converter';
import type { Worker } from '@temporalio/worker';
import type { Config } from '../../src/config';
import type { Logger } from '../../src/platform/logger';
import { createProviders } from '../../src/providers';
import type { Provider } from '../../src/providers/provider';
import type { ProviderName } from '../../src/common/types';
import { startApp, type RunningApp } from './app';
import { startTestWorker } from './worker';

export interface Stack {
  app: RunningApp;
  worker: Worker;
  stop(): Promise<void>;
}

export async function startStack(
  env: TestWorkflowEnvironment,
  config: Config,
  providers: Record<ProviderName, Provider> = createProviders(config),
  logger?: Logger,
): Promise<Stack> {
  const running = await startTestWorker(env, config, { providers });
  // The receivers' client encrypts as the worker does; without keys it is the environment's own.
  const client =
    config.encryption.keys.length > 0
      ? new Client({
          connection: env.connection,
          namespace: env.namespace ?? 'default',
          dataConverter: createDataConverter(config.encryption),
        })
      : env.client;
  const app = await startApp(config, client, logger);
  return {
    app,
    worker: running.worker,
    async stop() {
      await app.close();
      await running.stop();
      // A worker that failed while the test ran fails the test here.
      await running.done;
    },
  };
}
