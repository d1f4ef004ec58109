// `npm start`: the embedded Temporal dev server (unless TEMPORAL_ADDRESS is set), the worker
// and the HTTP server in one process. Ctrl-C stops all of it.
import { resolve } from 'node:path';
import { loadEnvFile } from './env-file';
import { PortTakenError } from './port-check';
import { ConfigError, loadConfig, type Config } from './config';
import { startCountersign } from './countersign';
import { createLogger } from './logger';
import { stopOnSignals } from './shutdown';
import { installTemporalRuntime } from './temporal/runtime';
import { UserActivitiesError } from './user-activities';

function banner(config: Config, lines: Array<[string, string]>) {
  const width = Math.max(...lines.map(([k]) => k.length));
  const body = lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
  const rule = '─'.repeat(72);
  process.stdout.write(`\n${rule}\n  Countersign is running (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})\n${rule}\n${body}\n${rule}\n  Ctrl-C stops everything.\n\n`);
}

async function main() {
  loadEnvFile();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // We stop things in order ourselves (HTTP, worker, Temporal), so the SDK must not react to
  // Ctrl-C on its own; and its webpack chatter is noise on a terminal.
  const sdkMetrics = installTemporalRuntime(config, logger);
  const countersign = await startCountersign(config, { logger });
  const { devServer, address } = countersign;

  const host = config.http.host === '0.0.0.0' ? 'localhost' : config.http.host;
  const base = `http://${host}:${config.http.port}`;
  banner(config, [
    ['Receivers', `${base}/callbacks/{evrotrust,signhost,signicat,portal-de-assinaturas}`],
    ['Application API', `${base}/transactions`],
    ['Health', `${base}/healthz  ${base}/readyz  ${base}/metrics  ${base}/openapi.json`],
    ...(sdkMetrics ? [['Temporal SDK metrics', sdkMetrics] as [string, string]] : []),
    ['Temporal', address + (devServer ? ' (embedded dev server)' : '')],
    ['Web UI', devServer ? devServer.uiUrl : '(the cluster’s own)'],
    ['Steps', `downloadSignedDocument, notifyApplication${countersign.userActivities.map((n) => `, ${n}`).join('')} (documents in ${resolve(config.steps.documentsDir)})`],
    ['Data', devServer ? `${resolve(config.temporal.devServer.dataDir)} (SQLite ${devServer.dbFile})` : '(in the cluster)'],
    ['Logs', devServer ? `${devServer.logFile} (Temporal); JSON on stdout (Countersign)` : 'JSON on stdout'],
  ]);

  stopOnSignals(async (signal) => {
    process.stdout.write(`\n${signal}: stopping (HTTP, then worker, then Temporal)...\n`);
    await countersign.stop(signal);
    process.stdout.write('Stopped.\n');
  });
  await countersign.done;
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof UserActivitiesError || err instanceof PortTakenError) {
    console.error(err.message);
  } else {
    console.error('Countersign failed to start:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
