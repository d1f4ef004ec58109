// `npm run bench:history`: how many history events a callback costs under three kinds of heavy
// traffic on one transaction, and how long the largest run of its continue-as-new chain takes
// to replay (the cost of a cache miss). Writes bench/results/history.json and its section of
// REPORT.md (replaced between its markers; the rest of the report is left as it is).
// Sizes: BENCH_HISTORY_DUPLICATES, BENCH_HISTORY_POSTBACKS, BENCH_HISTORY_ACTIVITIES; BENCH_OUT.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { TransactionState } from '../src/common/types';
import { bundleWorkflows } from '../src/temporal/workflow-bundle';
import { startCluster, type Cluster } from './cluster';
import { codeVersion } from './code-version';
import { chainSize, replayTimes } from './history-runs';
import {
  HISTORY_PLOT,
  historyBarChart,
  renderHistorySection,
  replaceSection,
  type HistoryBenchResults,
  type HistoryShape,
} from './history-section';
import { cumulativeSignhost, distinctSignhost, duplicateEvrotrust, register, type Sent } from './history-traffic';

const count = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .min(1, `${name} must be at least 1`)
    .default(fallback)
    .parse(process.env[name] === '' ? undefined : process.env[name]);

const ACTIVITIES_PER_POSTBACK = 100;

async function main() {
  const sizes = {
    duplicates: count('BENCH_HISTORY_DUPLICATES', 10_000),
    postbacks: count('BENCH_HISTORY_POSTBACKS', 200),
    activities: count('BENCH_HISTORY_ACTIVITIES', 5_000),
    activitiesPerPostback: ACTIVITIES_PER_POSTBACK,
  };
  const outDir = resolve(process.env.BENCH_OUT ?? resolve(__dirname, 'results'));
  const t0 = Date.now();
  const say = (line: string) => {
    const s = Math.round((Date.now() - t0) / 1000);
    process.stdout.write(
      `[history ${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${line}\n`,
    );
  };
  const loadBefore = loadavg();
  // The code that ran: taken before anything is measured.
  const commit = codeVersion();
  say(
    `sizes ${JSON.stringify(sizes)}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`,
  );
  Runtime.install({ logger: new DefaultLogger('WARN') });

  const work = mkdtempSync(join(tmpdir(), 'countersign-bench-history-'));
  const shapes: HistoryShape[] = [];
  const failures: HistoryBenchResults['failures'] = [];
  try {
    say('bundling workflows (the worker and the replays use the same bundle)');
    const { code } = await bundleWorkflows();
    const bundlePath = join(work, 'workflows-bundle.js');
    writeFileSync(bundlePath, code);
    // Each shape on a fresh dev server and Countersign: one shape's history does not weigh on
    // the next, and a Countersign that dies under one shape does not take the others with it.
    const shape = async (
      name: string,
      traffic: string,
      provider: string,
      send: (baseUrl: string, externalId: string) => Promise<Sent>,
    ) => {
      say(`${name}: ${traffic}`);
      let cluster: Cluster | undefined;
      try {
        say(`${name}: starting a dev server and Countersign`);
        cluster = await startCluster({
          dir: join(work, name),
          bundlePath,
          // A transaction's workflow ends a second after its final status, so its chain can be read whole.
          sutEnv: { LINGER_AFTER_FINAL: '1 second', BODY_LIMIT: '1mb' },
          onProgress: (line) => say(`  ${line}`),
        });
        const c = cluster;
        const baseUrl = c.url;
        const externalId = `history-${name}-${Date.now()}`;
        const workflowId = await register(baseUrl, { provider, externalId });
        const started = performance.now();
        const sent = await send(baseUrl, externalId);
        say(`${name}: ${sent.accepted}/${sent.callbacks} answered 2xx; waiting for the workflow to end`);
        const state = (await c.client.workflow.getHandle(workflowId).result()) as TransactionState;
        const wallMs = performance.now() - started;
        const chain = await chainSize(c.client, workflowId);
        say(
          `${name}: ${chain.runs} runs, ${chain.events} events; largest run ${chain.largest.events} events, ${chain.largest.bytes} bytes; replaying it`,
        );
        const replay = await replayTimes(
          { workflowBundle: { code }, replayName: `bench-history-${name}` },
          chain.largest.history,
          workflowId,
        );
        say(
          `${name}: replay ${replay.cold.samples.map((s) => s.toFixed(0)).join(', ')} ms; warm ${replay.warm.samples.map((s) => s.toFixed(0)).join(', ')} ms`,
        );
        shapes.push({
          name,
          traffic,
          callbacks: sent.callbacks,
          accepted: sent.accepted,
          refused: sent.refused,
          finalStatus: state.status,
          runs: chain.runs,
          events: chain.events,
          eventsPerCallback: chain.events / sent.callbacks,
          largestRun: { events: chain.largest.events, bytes: chain.largest.bytes },
          replayMs: replay.cold,
          warmReplayMs: replay.warm,
          wallMs,
        });
      } catch (err) {
        // fetch hides why it failed (refused, reset) in `cause`.
        const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
        const error = (err instanceof Error ? err.message : String(err)) + cause;
        say(`${name} FAILED: ${error}`);
        failures.push({ shape: name, error });
      } finally {
        await cluster?.stop().catch((err) => say(`${name}: stopping: ${err}`));
      }
    };

    const progress = (line: string) => say(`  ${line}`);
    await shape(
      'duplicates',
      `${sizes.duplicates.toLocaleString('en-US')} duplicate Evrotrust callbacks, then the final one`,
      'evrotrust',
      (baseUrl, id) => duplicateEvrotrust(baseUrl, id, sizes.duplicates, progress),
    );
    await shape(
      'cumulative',
      `${sizes.postbacks} cumulative Signhost postbacks (each repeating every earlier activity), then status 30`,
      'signhost',
      (baseUrl, id) => cumulativeSignhost(baseUrl, id, sizes.postbacks, progress),
    );
    await shape(
      'distinct',
      `${sizes.activities.toLocaleString('en-US')} distinct Signhost activities at maximum field length, ${sizes.activitiesPerPostback} a postback, then status 30`,
      'signhost',
      (baseUrl, id) => distinctSignhost(baseUrl, id, sizes.activities, sizes.activitiesPerPostback, progress),
    );
  } finally {
    // A failed shape keeps Countersign's and Temporal's logs for a look at why.
    if (!process.env.BENCH_KEEP && !failures.length) rmSync(work, { recursive: true, force: true });
    else say(`kept ${work} (countersign.log, temporal.log, the SQLite file)`);
  }

  const results: HistoryBenchResults = {
    meta: {
      startedAt: new Date(t0).toISOString(),
      finishedAt: new Date().toISOString(),
      durationS: (Date.now() - t0) / 1000,
      commit,
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown' },
      node: process.version,
      loadAverage: { before: loadBefore, after: loadavg() },
      sizes,
    },
    shapes,
    failures,
  };
  mkdirSync(outDir, { recursive: true });
  const reportPath = join(outDir, 'REPORT.md');
  const report = existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : '# Benchmark report\n';
  writeFileSync(reportPath, replaceSection(report, renderHistorySection(results)));
  writeFileSync(join(outDir, 'history.json'), JSON.stringify(results, null, 2) + '\n');
  if (shapes.length) writeFileSync(join(outDir, HISTORY_PLOT), historyBarChart(shapes));
  say(`wrote ${reportPath}, history.json${shapes.length ? ` and ${HISTORY_PLOT}` : ''}`);
  if (failures.length) process.exitCode = 1;
}

main().catch((err) => {
  console.error('bench:history failed:', err);
  process.exit(1);
});
