// `npm start`: the embedded Temporal dev server (unless TEMPORAL_ADDRESS is set), the worker
// and the HTTP server in one process. Ctrl-C stops all of it.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Server } from 'node:http';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { createMetrics } from './metrics';
import { createProviders } from './providers';
import { startDevServer, type DevServer } from './temporal/dev-server';
import { loadUserActivities, UserActivitiesError } from './user-activities';
import { createWorker } from './worker';
import { createFollowUpWorkers } from './temporal/follow-up-workers';
import { resolve } from 'node:path';

function banner(config: Config, lines: Array<[string, string]>) {
  const width = Math.max(...lines.map(([k]) => k.length));
  const body = lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
  const rule = '─'.repeat(72);
  process.stdout.write(`\n${rule}\n  Countersign is running (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})\n${rule}\n${body}\n${rule}\n  Ctrl-C stops everything.\n\n`);
}

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // Before anything starts: a broken activities module should stop us with nothing to clean up.
  const { activitiesModule } = config.steps;
  const userActivities = activitiesModule ? await loadUserActivities(activitiesModule, { config }) : {};
  // We stop things in order ourselves (HTTP, worker, Temporal), so the SDK must not react to
  // Ctrl-C on its own; and its webpack chatter is noise on a terminal.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  let devServer: DevServer | undefined;
  if (!config.temporal.address) {
    process.stdout.write('Starting the embedded Temporal dev server...\n');
    devServer = await startDevServer({ ...config.temporal.devServer, namespace: config.temporal.namespace });
  }
  const address = config.temporal.address ?? devServer!.address;

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const nativeConnection = await NativeConnection.connect({ address });
  const providers = createProviders(config);
  for (const p of Object.values(providers)) for (const warning of p.warnings ?? []) logger.warn({ provider: p.name }, warning);

  process.stdout.write('Bundling workflows and starting the worker...\n');
  const worker = await createWorker({ connection: nativeConnection, config, providers, options: { activities: userActivities } });
  const followUpWorkers = await createFollowUpWorkers({ connection: nativeConnection, config, providers });
  const workerDone = Promise.all([worker.run(), ...followUpWorkers.map((w) => w.run())]);

  const app = createApp({ config, client, providers: Object.values(providers), logger, metrics: createMetrics() });
  const server: Server = await new Promise((r) => {
    const s = app.listen(config.http.port, config.http.host, () => r(s));
  });

  const host = config.http.host === '0.0.0.0' ? 'localhost' : config.http.host;
  const base = `http://${host}:${config.http.port}`;
  banner(config, [
    ['Receivers', `${base}/callbacks/{evrotrust,signhost,signicat,portal-de-assinaturas}`],
    ['Application API', `${base}/transactions`],
    ['Health', `${base}/healthz  ${base}/readyz  ${base}/metrics`],
    ['Temporal', address + (devServer ? ' (embedded dev server)' : '')],
    ['Web UI', devServer ? devServer.uiUrl : '(the cluster’s own)'],
    ['Data', devServer ? `${resolve(config.temporal.devServer.dataDir)} (SQLite ${devServer.dbFile})` : '(in the cluster)'],
    ['Steps', `downloadSignedDocument, notifyApplication${Object.keys(userActivities).map((n) => `, ${n}`).join('')} (documents in ${resolve(config.steps.documentsDir)})`],
    ['Logs', devServer ? `${devServer.logFile} (Temporal); JSON on stdout (Countersign)` : 'JSON on stdout'],
  ]);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping (HTTP, then worker, then Temporal)...\n`);
    await new Promise<void>((r) => server.close(() => r()));
    for (const w of [worker, ...followUpWorkers]) if (w.getState() === 'RUNNING') w.shutdown();
    await workerDone.catch(() => undefined);
    await nativeConnection.close();
    await connection.close();
    await devServer?.stop();
    process.stdout.write('Stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await workerDone;
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof UserActivitiesError) {
    console.error(err.message);
  } else {
    console.error('Countersign failed to start:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
