// What heavy traffic on one transaction leaves in Temporal (history events per callback, over
// every run of its continue-as-new chain) and what a cache miss costs: the replay of its
// largest run. Each traffic shape gets its own Temporal and Countersign, so one that dies
// under its shape does not take the others with it.
import { temporal } from '@temporalio/proto';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { workflowIdFor } from '../../src/common/ids';
import type { TransactionState } from '../../src/common/types';
import { signhostChecksum } from '../../src/providers/signhost';
import { allRuns, inParallel } from '../../test/helpers/runs';
import { BENCH_CREDENTIALS } from '../harness/callbacks';
import type { BenchOptions } from '../options';
import type { HistoryShape, Parts } from '../results';
import { median } from '../stats';
import { benchDataConverter, setupFor, type Context } from '../harness/setup';

type Post = (path: string, body: unknown) => Promise<void>;

const signhost = (Id: string, Status: number, Activities: unknown[], signer = 'signer-1') => ({
  Id,
  Status,
  Signers: [{ Id: signer, Activities }],
  Checksum: signhostChecksum(Id, Status, BENCH_CREDENTIALS.SIGNHOST_SHARED_SECRET),
});
const long = (prefix: string, length: number) => (prefix + 'x'.repeat(length)).slice(0, length);

type Shape = { name: string; provider: string; traffic: string; send: (id: string, post: Post) => Promise<void> };

/** Each shape: its provider, what it sends in words, and how. */
function shapes(o: BenchOptions): Shape[] {
  return [
    {
      name: 'duplicates',
      provider: 'evrotrust',
      traffic: `${o.duplicates} duplicate Evrotrust callbacks, then the final one`,
      async send(id, post) {
        const path = '/callbacks/evrotrust/document/ready';
        await inParallel(Array.from({ length: o.duplicates }), 16, () => post(path, { transactionID: id, status: 1 }));
        await post(path, { transactionID: id, status: 2 });
      },
    },
    {
      name: 'cumulative',
      provider: 'signhost',
      traffic: `${o.postbacks} Signhost postbacks each repeating every earlier activity, then status 30`,
      async send(id, post) {
        const activities: unknown[] = [];
        for (let n = 0; n < o.postbacks; n++) {
          const opened = {
            Id: `activity-${n}`,
            Code: 103,
            Activity: 'Opened',
            CreatedDateTime: '2026-01-01T00:00:00Z',
          };
          activities.push(opened);
          await post('/callbacks/signhost', signhost(id, 20, activities));
        }
        await post('/callbacks/signhost', signhost(id, 30, activities));
      },
    },
    {
      name: 'distinct',
      provider: 'signhost',
      traffic: `${o.activities} distinct Signhost activities at maximum field length, ${o.activitiesPerPostback} a postback, then status 30`,
      async send(id, post) {
        const signer = long('signer-', 200);
        for (let from = 0; from < o.activities; from += o.activitiesPerPostback) {
          const batch = Array.from({ length: Math.min(o.activitiesPerPostback, o.activities - from) }, (_, i) => ({
            Id: long(`act-${from + i}-`, 200),
            Code: 105,
            Activity: long('DocumentOpened', 200),
            Info: long(`file-${from + i}-`, 1000),
            CreatedDateTime: long('2026-01-01T00:00:00.0000000+02:00', 100),
          }));
          await post('/callbacks/signhost', signhost(id, 20, batch, signer));
        }
        await post('/callbacks/signhost', signhost(id, 30, [], signer));
      },
    },
  ];
}

/** Fresh replay workers (what a one-off replay pays), then one running worker (a live cache miss). */
async function replayMs(options: ReplayWorkerOptions, history: temporal.api.history.v1.IHistory, workflowId: string) {
  const cold: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await Worker.runReplayHistory(options, history, workflowId);
    cold.push(performance.now() - t);
  }
  const warm: number[] = [];
  let last = performance.now();
  const copies = [0, 1, 2, 3].map((i) => ({ workflowId: `${workflowId}-${i}`, history }));
  for await (const result of Worker.runReplayHistories(options, copies)) {
    if (result.error) throw result.error;
    // The first includes the worker's start.
    if (result.workflowId !== copies[0].workflowId) warm.push(performance.now() - last);
    last = performance.now();
  }
  return { replayMs: median(cold), warmReplayMs: median(warm) };
}

export async function runHistory(ctx: Context, o: BenchOptions): Promise<NonNullable<Parts['history']>> {
  const measured: HistoryShape[] = [];
  const failed: string[] = [];
  const code = readFileSync(ctx.bundlePath, 'utf8');
  for (const shape of shapes(o)) {
    ctx.say(`history: ${shape.traffic}`);
    // A workflow ends a second after its final status, so its whole chain can be read.
    const sutEnv = { LINGER_AFTER_FINAL: '1 second', BODY_LIMIT: '1mb' };
    const s = await setupFor(ctx, `history-${shape.name}`, { sutEnv });
    try {
      const externalId = `history-${shape.name}-${Date.now()}`;
      const answers: number[] = [];
      const post: Post = async (path, body) => {
        const headers = { 'content-type': 'application/json' };
        const res = await fetch(s.url + path, { method: 'POST', headers, body: JSON.stringify(body) });
        await res.arrayBuffer();
        answers.push(res.status);
      };
      await post('/transactions', { provider: shape.provider, externalId });
      if (answers[0] !== 201) throw new Error(`registering the transaction answered ${answers[0]}`);
      answers.length = 0;
      await shape.send(externalId, post);
      const workflowId = workflowIdFor({ provider: shape.provider, kind: 'signing', externalId });
      const state = (await s.client.workflow.getHandle(workflowId).result()) as TransactionState;
      const runs = await allRuns(s.client, workflowId);
      const sized = runs.map((r) => ({ history: { events: r.events }, events: r.events.length }));
      const largest = sized.reduce((a, b) => (b.events > a.events ? b : a));
      const events = sized.reduce((n, r) => n + r.events, 0);
      const options = {
        workflowBundle: { code },
        replayName: `bench-${shape.name}`,
        dataConverter: benchDataConverter(),
      };
      const replay = await replayMs(options, largest.history, workflowId);
      // Bytes as Temporal stores them: the protobuf encoding.
      const bytes = temporal.api.history.v1.History.encode(largest.history).finish().length;
      const [callbacks, accepted] = [answers.length, answers.filter((a) => a >= 200 && a < 300).length];
      const { name, traffic } = shape;
      const eventsPerCallback = events / callbacks;
      const largestRun = { events: largest.events, bytes };
      measured.push({
        name,
        traffic,
        callbacks,
        accepted,
        finalStatus: state.status,
        runs: runs.length,
        events,
        eventsPerCallback,
        largestRun,
        ...replay,
      });
      ctx.say(
        `history ${name}: ${runs.length} runs, ${eventsPerCallback.toFixed(2)} events per callback, replay ${replay.replayMs.toFixed(0)} ms`,
      );
    } catch (err) {
      failed.push(`${shape.name}: ${err instanceof Error ? err.message : String(err)}`);
      ctx.say(`history ${shape.name} FAILED: ${failed[failed.length - 1]}`);
    } finally {
      await s.stop();
    }
  }
  // The shapes measured are kept; a failed one still fails the part, so the run exits non-zero.
  if (failed.length) throw Object.assign(new Error(failed.join('; ')), { partial: { shapes: measured } });
  return { shapes: measured };
}
