// `npm run bench:receivers`: what the receivers themselves cost per callback, away from the
// worker. A dev server, the receivers alone in a process of their own (receivers-app.ts) and
// this process as the sender, alternating two kinds of run over the same mix of callbacks:
//
// - receivers: this process posts each callback over HTTP; the receivers authenticate, parse
//   and signal it, as in production.
// - raw: this process sends the very same signals itself with `signalWithStart`, the client
//   call the receivers make (same connection kind, same encryption).
//
// Per callback, in CPU milliseconds: the receivers' process, the sender (its HTTP client, or
// its Temporal client in raw runs) and the Temporal server. The receivers' own cost beyond
// the Temporal call is the receivers' CPU minus the raw sender's.
import { NativeConnection } from '@temporalio/worker';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { newKeyEntry } from '../src/encryption/keys';
import { createProviders } from '../src/providers';
import { startDevServer } from '../src/app/dev-server';
import { engineClient } from '../src/temporal/engine-client';
import { signalWithStart } from '../src/temporal/transactions';
import {
  BENCH_CREDENTIALS,
  callbackRequest,
  planItems,
  postCallback,
  withEvents,
  type BenchCallback,
} from './callbacks';
import { freePort } from '../test/helpers/ports';
import { procStats } from './proc';
import { forkChild } from './rpc';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CALLBACKS = Number(process.env.BENCH_CALLBACKS ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const OUT = process.env.BENCH_OUT ?? join(__dirname, 'results');

type Via = 'receivers' | 'raw';
/** One run as `receivers-path.json` records it. */
export interface ReceiversPathRun {
  via: Via;
  round: number;
  callbacks: number;
  /** Answered 200 (receivers) or accepted by Temporal (raw); the rest failed (a 503 on a starved machine). */
  ok: number;
  perSec: number;
  /** CPU ms per callback. */
  receiversCpu: number;
  senderCpu: number;
  serverCpu: number;
}

const say = (line: string) => console.log(`[bench:receivers] ${line}`);
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'countersign-bench-receivers-'));
  const port = await freePort();
  const dev = await startDevServer({ port, uiPort: await freePort(), dataDir: work, namespace: 'default' });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
    TEMPORAL_NAMESPACE: 'default',
    LOG_LEVEL: 'info',
    COUNTERSIGN_ENCRYPTION_KEYS: newKeyEntry('bench'),
    ...BENCH_CREDENTIALS,
  };
  const config = loadConfig(env);
  const providers = createProviders(config);
  const logFd = openSync(join(work, 'receivers.log'), 'a');
  const app = await forkChild(join(__dirname, 'receivers-app.ts'), { env, cwd: join(__dirname, '..'), stdout: logFd });
  const { url, pid } = app.ready as { url: string; pid: number };
  const connection = await NativeConnection.connect({ address: `127.0.0.1:${port}` });
  const client = engineClient(connection, config);
  const transactions = { client, taskQueue: config.temporal.taskQueue, engine: config.engine };
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(url);

  const post = (cb: BenchCallback) => postCallback(agent, target, cb);

  const run = async (via: Via, round: number, count: number): Promise<ReceiversPathRun> => {
    const items = planItems({ kind: 'pairs', prefix: `${via}-${round}`, transactions: count / 2 }).map((it) =>
      withEvents(providers, callbackRequest(it.provider, it.externalId, it.stage)),
    );
    const [sender0, app0, server0] = [ownCpuMs(), procStats(pid)!.cpuMs, procStats(dev.pid)!.cpuMs];
    const t0 = performance.now();
    let next = 0;
    let ok = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < items.length) {
          const cb = items[next++];
          const accepted =
            via === 'raw'
              ? await signalWithStart(transactions, cb.ref, cb.events, cb.dossierId).then(
                  () => true,
                  () => false,
                )
              : (await post(cb)) === 200;
          if (accepted) ok++;
        }
      }),
    );
    const elapsed = performance.now() - t0;
    const n = items.length;
    return {
      via,
      round,
      callbacks: n,
      ok,
      perSec: (ok * 1000) / elapsed,
      receiversCpu: (procStats(pid)!.cpuMs - app0) / n,
      senderCpu: (ownCpuMs() - sender0) / n,
      serverCpu: (procStats(dev.pid)!.cpuMs - server0) / n,
    };
  };

  say(`${ROUNDS} rounds of ${CALLBACKS} callbacks each way, ${CONCURRENCY} at a time; warming up`);
  await run('receivers', -1, 600);
  await run('raw', -1, 600);
  const runs: ReceiversPathRun[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating which goes first, so drift weighs on both.
    for (const via of round % 2 === 0 ? (['receivers', 'raw'] as const) : (['raw', 'receivers'] as const)) {
      const r = await run(via, round, CALLBACKS);
      runs.push(r);
      say(
        `round ${round + 1} ${via}: ${r.ok}/${r.callbacks} accepted, ${r.perSec.toFixed(0)}/s; CPU per callback: receivers ${r.receiversCpu.toFixed(2)} ms, sender ${r.senderCpu.toFixed(2)} ms, Temporal ${r.serverCpu.toFixed(2)} ms`,
      );
    }
  }
  agent.destroy();
  await connection.close();
  await app.stop();
  await dev.stop();
  rmSync(work, { recursive: true, force: true });

  const of = (via: Via, pick: (r: ReceiversPathRun) => number) => median(runs.filter((r) => r.via === via).map(pick));
  const rec = { perSec: of('receivers', (r) => r.perSec), cpu: of('receivers', (r) => r.receiversCpu) };
  const http = of('receivers', (r) => r.senderCpu);
  const call = of('raw', (r) => r.senderCpu);
  const ratios = Array.from({ length: ROUNDS }, (_, round) => {
    const pair = runs.filter((r) => r.round === round);
    return pair.find((r) => r.via === 'receivers')!.perSec / pair.find((r) => r.via === 'raw')!.perSec;
  });
  const fmt = (x: number) => x.toFixed(2);
  const report = [
    '# The receivers path alone (`npm run bench:receivers`)',
    '',
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${ROUNDS} rounds of ${CALLBACKS} callbacks each way, ${CONCURRENCY} at a time, alternating which goes first; medians over the rounds. A dev server; the receivers alone in their own process (no worker: the workflows are never run, so the Temporal server's cost is the signal's alone); the sender in a third. The same mix of authenticated callbacks as part 1 of \`npm run bench\`.`,
    '',
    '| CPU per callback, ms | median | rounds |',
    '| --- | --- | --- |',
    `| receivers process (HTTP, checks, parsing, log, the Temporal call) | ${fmt(rec.cpu)} | ${runs
      .filter((r) => r.via === 'receivers')
      .map((r) => fmt(r.receiversCpu))
      .join(', ')} |`,
    `| the Temporal call itself (raw sender: \`signalWithStart\`, encryption included) | ${fmt(call)} | ${runs
      .filter((r) => r.via === 'raw')
      .map((r) => fmt(r.senderCpu))
      .join(', ')} |`,
    `| **receivers beyond the Temporal call** | **${fmt(rec.cpu - call)}** | |`,
    `| the sender's HTTP client (what a provider spends, here on the same machine) | ${fmt(http)} | |`,
    `| Temporal server, receivers runs / raw runs | ${fmt(of('receivers', (r) => r.serverCpu))} / ${fmt(of('raw', (r) => r.serverCpu))} | |`,
    '',
    `| callbacks/s | median | rounds |`,
    '| --- | --- | --- |',
    `| through the receivers | ${rec.perSec.toFixed(0)} | ${runs
      .filter((r) => r.via === 'receivers')
      .map((r) => r.perSec.toFixed(0))
      .join(', ')} |`,
    `| raw | ${of('raw', (r) => r.perSec).toFixed(0)} | ${runs
      .filter((r) => r.via === 'raw')
      .map((r) => r.perSec.toFixed(0))
      .join(', ')} |`,
    `| **receivers / raw** | **${fmt(median(ratios))}** | ${ratios.map(fmt).join(', ')} |`,
    '',
  ].join('\n');
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'RECEIVERS-PATH.md'), report);
  writeFileSync(
    join(OUT, 'receivers-path.json'),
    JSON.stringify({ rounds: ROUNDS, concurrency: CONCURRENCY, runs }, null, 2) + '\n',
  );
  console.log(`\n${report}\nwritten: ${join(OUT, 'RECEIVERS-PATH.md')}`);
}

main().catch((err) => {
  console.error('bench:receivers failed:', err);
  process.exit(1);
});
