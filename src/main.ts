// `npm start`: the embedded Temporal dev server (unless TEMPORAL_ADDRESS is set) and the HTTP
// server in this process, the worker in a child process restarted when it dies (so a worker
// crash never silences the receivers). Ctrl-C stops all of it.
import { resolve } from 'node:path';
import { loadEnvFile } from './platform/env-file';
import { PortTakenError } from './platform/port-check';
import { ConfigError, loadConfig } from './config';
import { startCountersign } from './app/countersign';
import { createLogger } from './platform/logger';
import { stopOnSignals } from './platform/shutdown';
import { installTemporalRuntime, sdkMetricsUrl } from './temporal/runtime';
import { WorkerStartError } from './app/worker-supervisor';
import { UserActivitiesError } from './activities/user-activities';
import { stopTracing } from './tracing/provider';
import { banner, encryptionLine, unauthenticatedLine } from './app/banner';

async function main() {
  loadEnvFile();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // We stop things in order ourselves (HTTP, worker, Temporal), so the SDK must not react to
  // Ctrl-C on its own; and its webpack chatter is noise on a terminal.
  // The worker process binds TEMPORAL_METRICS_PORT: its metrics are the ones worth scraping.
  installTemporalRuntime(config, { logger, sdkMetrics: false });
  const sdkMetrics = sdkMetricsUrl(config);
  const countersign = await startCountersign(config, { logger, workerProcess: 'child' });
  const { devServer, address } = countersign;

  const host = config.http.host === '0.0.0.0' ? 'localhost' : config.http.host;
  const base = `http://${host}:${config.http.port}`;
  banner(config, [
    ['Receivers', `${base}/callbacks/{${config.providerModules.names.join(',')}}`],
    ['Application API', `${base}/transactions`],
    ['Health', `${base}/healthz  ${base}/readyz  ${base}/metrics  ${base}/openapi.json`],
    ...(sdkMetrics ? [['Temporal SDK metrics', sdkMetrics] as [string, string]] : []),
    ['Worker', `its own process (pid ${countersign.workerPid?.() ?? '?'}), restarted if it dies`],
    ['Temporal', address + (devServer ? ' (embedded dev server)' : '')],
    [
      'Web UI',
      devServer
        ? devServer.uiUrl + (countersign.codecUrl ? ' (decodes through the codec server)' : '')
        : '(the cluster’s own)',
    ],
    ['Encryption', encryptionLine(countersign.encryption)],
    ...(countersign.codecUrl
      ? [
          [
            'Codec server',
            `${countersign.codecUrl}/{decode,encode} (token ${countersign.codecTokenFile ? `in ${countersign.codecTokenFile}` : 'COUNTERSIGN_CODEC_TOKEN'})`,
          ] as [string, string],
        ]
      : []),
    [
      'Steps',
      `downloadSignedDocument, notifyApplication${countersign.userActivities.map((n) => `, ${n}`).join('')} (documents in ${resolve(config.steps.documentsDir)})`,
    ],
    [
      'Data',
      devServer ? `${resolve(config.temporal.devServer.dataDir)} (SQLite ${devServer.dbFile})` : '(in the cluster)',
    ],
    ['Logs', devServer ? `${devServer.logFile} (Temporal); JSON on stdout (Countersign)` : 'JSON on stdout'],
    ['Unauthenticated', unauthenticatedLine(config)],
  ]);

  stopOnSignals(async (signal) => {
    process.stdout.write(`\n${signal}: stopping (HTTP, then worker, then Temporal)...\n`);
    await countersign.stop(signal);
    await stopTracing();
    process.stdout.write('Stopped.\n');
  });
  await countersign.done;
}

main().catch((err) => {
  if (
    err instanceof ConfigError ||
    err instanceof UserActivitiesError ||
    err instanceof WorkerStartError ||
    err instanceof PortTakenError
  ) {
    console.error(err.message);
  } else {
    console.error('Countersign failed to start:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
