// `npm start`: the embedded Temporal dev server (unless TEMPORAL_ADDRESS is set), the worker
// and the HTTP server in one process. Ctrl-C stops all of it.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from './config';
import { startCountersign } from './countersign';
import { createLogger } from './logger';
import { loadUserActivities, UserActivitiesError } from './user-activities';

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
  const countersign = await startCountersign(config, { logger, userActivities });
  const { devServer, address } = countersign;

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
    await countersign.stop();
    process.stdout.write('Stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await countersign.done;
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof UserActivitiesError) {
    console.error(err.message);
  } else {
    console.error('Countersign failed to start:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
