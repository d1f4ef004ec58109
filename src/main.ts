// `npm start`: the embedded Temporal dev server (unless TEMPORAL_ADDRESS is set), the worker
// and the HTTP server in one process. Ctrl-C stops all of it.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { resolve } from 'node:path';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { closeHttpServer, listen } from './http-server';
import { createLogger } from './logger';
import { createMetrics } from './metrics';
import { createProviders } from './providers';
import { createShutdown, stopOnSignals } from './shutdown';
import { temporalConnectionOptions } from './temporal/connection-options';
import { startDevServer, type DevServer } from './temporal/dev-server';
import { installTemporalRuntime } from './temporal/runtime';
import { UserActivitiesError } from './user-activities';
import { startCountersignWorker } from './worker';

function banner(config: Config, lines: Array<[string, string]>) {
  const width = Math.max(...lines.map(([k]) => k.length));
  const body = lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
  const rule = '─'.repeat(72);
  process.stdout.write(`\n${rule}\n  Countersign is running (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})\n${rule}\n${body}\n${rule}\n  Ctrl-C stops everything.\n\n`);
}

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // We stop things in order ourselves (HTTP, worker, Temporal), so the SDK must not react to
  // Ctrl-C on its own; and its webpack chatter is noise on a terminal.
  const sdkMetrics = installTemporalRuntime(config);
  let devServer: DevServer | undefined;
  if (!config.temporal.address) {
    process.stdout.write('Starting the embedded Temporal dev server...\n');
    devServer = await startDevServer({ ...config.temporal.devServer, namespace: config.temporal.namespace });
  }
  // The embedded dev server speaks plain gRPC; TLS and API keys are for a cluster of your own.
  const target = devServer ? { address: devServer.address } : temporalConnectionOptions(config.temporal);
  const address = target.address;
  const metrics = createMetrics();

  const connection = await Connection.connect(target);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const nativeConnection = await NativeConnection.connect(target);
  const providers = createProviders(config);
  for (const p of Object.values(providers)) for (const warning of p.warnings ?? []) logger.warn({ provider: p.name }, warning);

  process.stdout.write('Bundling workflows and starting the worker...\n');
  // Loads COUNTERSIGN_ACTIVITIES_MODULE too; a broken module stops startup with its name.
  const running = await startCountersignWorker({ config, connection: nativeConnection, providers, metrics });

  const app = createApp({ config, client, providers: Object.values(providers), logger, metrics });
  const server = await listen(app, config.http.port, config.http.host);

  const host = config.http.host === '0.0.0.0' ? 'localhost' : config.http.host;
  const base = `http://${host}:${config.http.port}`;
  banner(config, [
    ['Receivers', `${base}/callbacks/{evrotrust,signhost,signicat,portal-de-assinaturas}`],
    ['Application API', `${base}/transactions`],
    ['Health', `${base}/healthz  ${base}/readyz  ${base}/metrics  ${base}/openapi.json`],
    ...(sdkMetrics ? [['Temporal SDK metrics', sdkMetrics] as [string, string]] : []),
    ['Temporal', address + (devServer ? ' (embedded dev server)' : '')],
    ['Web UI', devServer ? devServer.uiUrl : '(the cluster’s own)'],
    ['Steps', `downloadSignedDocument, notifyApplication${running.userActivities.map((n) => `, ${n}`).join('')} (documents in ${resolve(config.steps.documentsDir)})`],
    ['Data', devServer ? `${resolve(config.temporal.devServer.dataDir)} (SQLite ${devServer.dbFile})` : '(in the cluster)'],
    ['Logs', devServer ? `${devServer.logFile} (Temporal); JSON on stdout (Countersign)` : 'JSON on stdout'],
  ]);

  const stop = createShutdown(
    [
      ['http', () => closeHttpServer(server, config.shutdownTimeoutMs)],
      ['worker', () => running.stop()],
      ['temporal connections', () => Promise.all([nativeConnection.close(), connection.close()]).then(() => undefined)],
      ['temporal dev server', async () => devServer?.stop()],
    ],
    logger,
  );
  stopOnSignals(async (signal) => {
    process.stdout.write(`\n${signal}: stopping (HTTP, then worker, then Temporal)...\n`);
    await stop(signal);
    process.stdout.write('Stopped.\n');
  });
  await running.done;
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof UserActivitiesError) {
    console.error(err.message);
  } else {
    console.error('Countersign failed to start:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
