// A whole Countersign against a real Temporal server: worker + HTTP app on loopback.
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDataConverter } from '../../src/encryption/data-converter';
import type { Worker } from '@temporalio/worker';
import type { Config } from '../../src/config';
import type { Logger } from '../../src/logger';
import { createProviders } from '../../src/providers';
import type { Provider } from '../../src/providers/provider';
import type { ProviderName } from '../../src/shared/types';
import { createWorker } from '../../src/worker';
import { createFollowUpWorkers } from '../../src/temporal/follow-up-workers';
import { startApp, type RunningApp } from './app';
import { workflowBundle } from './temporal';

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
  const worker = await createWorker({ connection: env.nativeConnection, config, providers, workflowBundle: await workflowBundle() });
  const followUpWorkers = await createFollowUpWorkers({ connection: env.nativeConnection, config, providers });
  const running = Promise.all([worker.run(), ...followUpWorkers.map((w) => w.run())]);
  // The receivers' client encrypts as the worker does; without keys it is the environment's own.
  const client = config.encryption.keys.length > 0 ? new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter: createDataConverter(config.encryption) }) : env.client;
  const app = await startApp(config, client, logger);
  return {
    app,
    worker,
    async stop() {
      await app.close();
      for (const w of [worker, ...followUpWorkers]) w.shutdown();
      await running;
    },
  };
}
