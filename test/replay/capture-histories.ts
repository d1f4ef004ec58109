// `npm run histories:capture`: runs representative transactions of every workflow type on a
// real dev server (follow-ups, an operator's nudge, post-signing steps, a failing provider,
// unregistered → registered, deadlines, registered mail, a late callback) and saves each
// history under test/replay/histories/, where test/replay/replay.test.ts replays them.
//
// Files are named `{scenario}.{version}.json`, the version being a hash of the code the
// workflow bundle is built from. Capturing again after a workflow change therefore adds the
// new version's histories and keeps the old ones: those stand for transactions still running
// on the old code, which the changed code must keep replaying (see docs/reliability.md).
import { ApplicationFailure } from '@temporalio/common';
import { Client } from '@temporalio/client';
import { historyToJSON } from './history-json';
import { REPLAY_KEYS, replayDataConverter } from './replay-keys';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { evrotrustEvent } from '../../src/providers/evrotrust';
import { registeredMailCallbackSchema, registeredMailEvent } from '../../src/providers/portal-de-assinaturas';
import type { Provider } from '../../src/providers/provider';
import { signhostEvents, signhostTransactionSchema } from '../../src/providers/signhost';
import { signicatEvent } from '../../src/providers/signicat';
import { createProviders } from '../../src/providers';
import { followUpNowSignal, stateQuery } from '../../src/common/messages';
import type {
  EngineOptions,
  FollowUpRequest,
  FollowUpResult,
  ProviderEvent,
  StepInput,
  TransactionRef,
} from '../../src/common/types';
import { workflowIdFor } from '../../src/common/ids';
import { deliverEvents, getState, registerTransaction, type TransactionContext } from '../../src/temporal/transactions';
import { applyLate, decideHeldFinal, LATE_QUERY, listWorkflows, retryFailedSteps } from '../../src/temporal/operator';
import { startCountersignWorker } from '../../src/worker';
import { testConfig } from '../helpers/config';
import { startDevServerEnv, uniqueId, workflowBundle } from '../helpers/temporal';

const ROOT = join(__dirname, '../..');
export const HISTORIES_DIR = join(__dirname, 'histories');

/** A hash of everything the workflow bundle is built from: our workflow and shared code, and the SDK's version. */
export function workflowCodeVersion(): string {
  const hash = createHash('sha256');
  for (const dir of ['src/workflows', 'src/common']) {
    for (const file of readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith('.ts'))
      .sort()) {
      hash
        .update(`${dir}/${file}\0`)
        .update(readFileSync(join(ROOT, dir, file)))
        .update('\0');
    }
  }
  hash.update(
    (
      JSON.parse(readFileSync(join(ROOT, 'node_modules/@temporalio/workflow/package.json'), 'utf8')) as {
        version: string;
      }
    ).version,
  );
  return hash.digest('hex').slice(0, 10);
}

const now = () => new Date().toISOString();
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Status APIs answering from a script per workflow, one answer per follow-up; then nothing new. */
const scripts = new Map<string, Array<FollowUpResult | Error | { hangMs: number }>>();
const asked = new Map<string, number>();
function scripted(base: Provider): Provider {
  return {
    ...base,
    async followUp(req: FollowUpRequest) {
      asked.set(req.workflowId, (asked.get(req.workflowId) ?? 0) + 1);
      const next = scripts.get(req.workflowId)?.shift();
      if (next instanceof Error) throw next;
      if (next && 'hangMs' in next) {
        // A status API that hangs: the workflow hands over (and cancels this call) meanwhile.
        await sleep(next.hangMs);
        return { events: [], outcome: 'polled: no change' };
      }
      return next ?? { events: [], outcome: 'polled: no change' };
    },
  };
}

const slowStepStarted = new Set<string>();
const flakyStepCalls = new Map<string, number>();

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface Scenario {
  name: string;
  /** Runs the scenario to the end; returns the workflow whose history is kept. */
  run(ctx: TransactionContext): Promise<string>;
  /** Keep every run of the workflow (a chain of hand-overs), not only the last. */
  allRuns?: boolean;
}

/** A context whose transactions hand over after a few signals. */
const handingOver = (ctx: TransactionContext, maxSignals = 3): TransactionContext => ({
  ...ctx,
  engine: { ...ctx.engine, continueAsNew: { maxSignals } },
});

/** A context whose Evrotrust transactions hold unverified finals for the provider's confirmation. */
const confirmingEvrotrust = (ctx: TransactionContext, engine: EngineOptions = {}): TransactionContext => ({
  ...ctx,
  engine: {
    ...ctx.engine,
    ...engine,
    providers: {
      ...ctx.engine?.providers,
      evrotrust: { ...ctx.engine?.providers?.evrotrust, confirmUnverifiedFinals: true },
    },
  },
});

const unauthorized = () =>
  ApplicationFailure.create({ type: 'ProviderUnauthorized', message: 'status API answered 401', nonRetryable: true });

const ref = (provider: TransactionRef['provider'], kind: TransactionRef['kind'] = 'signing'): TransactionRef => ({
  provider,
  kind,
  externalId: uniqueId('capture'),
});

async function finish(ctx: TransactionContext, workflowId: string): Promise<string> {
  await ctx.client.workflow.getHandle(workflowId).result();
  return workflowId;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'signing-follow-ups-operator-poll-signed-steps',
    async run(ctx) {
      const r = ref('evrotrust');
      const id = workflowIdFor(r);
      scripts.set(id, [
        { events: [], outcome: 'polled: no change' },
        { events: [evrotrustEvent(1, 'poll', now())], outcome: 'polled: status 1' },
      ]);
      await registerTransaction(ctx, r, {
        reference: 'order-1',
        followUp: { firstAfter: '1s', backoff: 2, maxInterval: '4s' },
        steps: { onSigned: ['archiveDocument', { name: 'notifyCrm', maximumAttempts: 2, timeout: '10s' }] },
      });
      await until('two follow-ups', () => (asked.get(id) ?? 0) >= 2);
      const handle = ctx.client.workflow.getHandle(id);
      const polls = asked.get(id)!;
      await handle.signal(followUpNowSignal, { mode: 'poll' });
      await until('the operator’s follow-up', () => (asked.get(id) ?? 0) > polls);
      const signed = evrotrustEvent(2, 'callback', now());
      await deliverEvents(ctx, r, [signed], { mayCreate: false });
      await deliverEvents(ctx, r, [signed], { mayCreate: false });
      return finish(ctx, id);
    },
  },
  {
    name: 'signing-unregistered-then-registered',
    async run(ctx) {
      const r = ref('signhost');
      const activity = (n: number, code: number) => ({
        Id: `${r.externalId}-a${n}`,
        Code: code,
        Activity: null,
        Info: null,
        CreatedDateTime: now(),
      });
      const tx = (status: number, activities: ReturnType<typeof activity>[]) => ({
        Id: r.externalId,
        Status: status,
        Signers: [{ Id: 'signer-1', RejectReason: null, Activities: activities }],
        CancellationReason: null,
      });
      await deliverEvents(
        ctx,
        r,
        signhostEvents(
          signhostTransactionSchema.parse(tx(20, [activity(1, 101), activity(2, 103)])),
          'callback',
          now(),
        ),
        { mayCreate: true },
      );
      await registerTransaction(ctx, r, { reference: 'order-2', deadline: inSeconds(3600) });
      await deliverEvents(
        ctx,
        r,
        signhostEvents(
          signhostTransactionSchema.parse(tx(30, [activity(1, 101), activity(2, 103), activity(3, 203)])),
          'callback',
          now(),
        ),
        { mayCreate: true },
      );
      return finish(ctx, workflowIdFor(r));
    },
  },
  {
    name: 'signing-deadline-expired-steps',
    async run(ctx) {
      const r = ref('signicat');
      const id = workflowIdFor(r);
      scripts.set(id, [{ events: [], outcome: 'notify requested' }]);
      await registerTransaction(ctx, r, {
        dossierId: `dossier-${r.externalId}`,
        deadline: inSeconds(4),
        followUp: { firstAfter: '1h' },
        steps: { onExpired: ['archiveDocument'] },
      });
      await deliverEvents(ctx, r, [signicatEvent('pending', 'callback', now(), `dossier-${r.externalId}`)], {
        mayCreate: true,
      });
      return finish(ctx, id);
    },
  },
  {
    name: 'signing-follow-up-provider-fails-then-rejected',
    async run(ctx) {
      const r = ref('signhost');
      const id = workflowIdFor(r);
      scripts.set(id, [
        ApplicationFailure.create({
          type: 'ProviderUnauthorized',
          message: 'status API answered 401',
          nonRetryable: true,
        }),
      ]);
      await registerTransaction(ctx, r, { followUp: { firstAfter: '1s', backoff: 2, maxInterval: '2s' } });
      await until('a failed follow-up', () => (asked.get(id) ?? 0) >= 1);
      await until(
        'the failure recorded',
        async () => !!(await ctx.client.workflow.getHandle(id).query(stateQuery)).lastFollowUp,
      );
      const tx = {
        Id: r.externalId,
        Status: 40,
        Signers: [{ Id: 'signer-1', RejectReason: 'wrong amount', Activities: [] }],
        CancellationReason: null,
      };
      await deliverEvents(ctx, r, signhostEvents(signhostTransactionSchema.parse(tx), 'callback', now()), {
        mayCreate: true,
      });
      return finish(ctx, id);
    },
  },
  {
    name: 'signing-unregistered-never-claimed',
    async run(ctx) {
      const r = ref('signicat');
      await deliverEvents(ctx, r, [signicatEvent('accepted', 'callback', now(), `dossier-${r.externalId}`)], {
        mayCreate: true,
        dossierId: `dossier-${r.externalId}`,
      });
      return finish(ctx, workflowIdFor(r));
    },
  },
  {
    name: 'registered-mail-delivered-opened',
    async run(ctx) {
      const r = ref('portal-de-assinaturas', 'registered-mail');
      await registerTransaction(ctx, r, { reference: 'letter-1' });
      const mail = (action: string) =>
        registeredMailEvent(
          registeredMailCallbackSchema.parse({
            registeredmailid: r.externalId,
            action,
            info: { message: action.toLowerCase() },
          }),
          'callback',
          now(),
        );
      await deliverEvents(ctx, r, [mail('DELIVERED')], { mayCreate: true });
      await deliverEvents(ctx, r, [mail('DELIVERED')], { mayCreate: true });
      await deliverEvents(ctx, r, [mail('OPENED')], { mayCreate: true });
      return finish(ctx, workflowIdFor(r));
    },
  },
  {
    name: 'registered-mail-delivered-deadline',
    async run(ctx) {
      const r = ref('portal-de-assinaturas', 'registered-mail');
      await registerTransaction(ctx, r, { deadline: inSeconds(3) });
      await deliverEvents(
        ctx,
        r,
        [
          registeredMailEvent(
            registeredMailCallbackSchema.parse({ registeredmailid: r.externalId, action: 'DELIVERED' }),
            'callback',
            now(),
          ),
        ],
        { mayCreate: true },
      );
      return finish(ctx, workflowIdFor(r));
    },
  },
  {
    // The last run of a chain: its input carries the state and where the loop stood.
    name: 'signing-continued-as-new-carried',
    async run(ctx) {
      const small = { ...ctx, engine: { ...ctx.engine, continueAsNew: { maxSignals: 3 } } };
      const r = ref('signhost');
      const id = workflowIdFor(r);
      const tx = (status: number, n: number) => ({
        Id: r.externalId,
        Status: status,
        Signers: [
          {
            Id: 'signer-1',
            RejectReason: null,
            Activities: [
              { Id: `${r.externalId}-a${n}`, Code: 103, Activity: null, Info: null, CreatedDateTime: now() },
            ],
          },
        ],
        CancellationReason: null,
      });
      await registerTransaction(small, r, {
        reference: 'order-7',
        followUp: { firstAfter: '1h' },
        steps: { onSigned: ['archiveDocument'] },
      });
      for (let n = 1; n <= 7; n++) {
        await deliverEvents(small, r, signhostEvents(signhostTransactionSchema.parse(tx(20, n)), 'callback', now()), {
          mayCreate: true,
        });
        await sleep(100);
      }
      await deliverEvents(small, r, signhostEvents(signhostTransactionSchema.parse(tx(30, 8)), 'callback', now()), {
        mayCreate: true,
      });
      return finish(ctx, id);
    },
  },
  {
    name: 'signing-unverified-final-held-then-confirmed',
    async run(ctx) {
      const r = ref('evrotrust');
      const id = workflowIdFor(r);
      const confirming = confirmingEvrotrust(ctx);
      // The provider first says the transaction is still pending (the forged `signed` stays
      // held), then confirms the real `rejected`.
      scripts.set(id, [
        { events: [evrotrustEvent(1, 'poll', now())], outcome: 'polled: status 1' },
        { events: [evrotrustEvent(3, 'poll', now())], outcome: 'polled: status 3' },
      ]);
      await registerTransaction(confirming, r, { reference: 'order-9', steps: { onRejected: ['archiveDocument'] } });
      await deliverEvents(confirming, r, [{ ...evrotrustEvent(2, 'callback', now()), unverified: true }], {
        mayCreate: false,
      });
      await until('the first confirmation poll', () => (asked.get(id) ?? 0) >= 1);
      await deliverEvents(
        confirming,
        r,
        [{ ...evrotrustEvent(3, 'callback', now(), 'changed my mind'), unverified: true }],
        { mayCreate: false },
      );
      return finish(confirming, id);
    },
  },
  {
    name: 'late-callback',
    async run(ctx) {
      const r = ref('evrotrust');
      await registerTransaction(ctx, r, {});
      await deliverEvents(ctx, r, [evrotrustEvent(2, 'callback', now())], { mayCreate: false });
      await finish(ctx, workflowIdFor(r));
      const late: ProviderEvent = evrotrustEvent(4, 'callback', now());
      if ((await deliverEvents(ctx, r, [late], { mayCreate: false })) !== 'late')
        throw new Error('expected a late callback');
      return finish(ctx, `late:${workflowIdFor(r)}:${late.key}`);
    },
  },
  {
    // A step is running when the run must hand over: it is cancelled, the next run repeats it.
    name: 'hand-over-during-steps',
    allRuns: true,
    async run(ctx) {
      const small = handingOver(ctx);
      const r = ref('evrotrust');
      await registerTransaction(small, r, { steps: { onSigned: ['slowStep', 'archiveDocument'] } });
      const signed = evrotrustEvent(2, 'callback', now());
      await deliverEvents(small, r, [signed], { mayCreate: false });
      await until('the slow step', () => slowStepStarted.has(workflowIdFor(r)));
      for (let i = 0; i < 3; i++) await deliverEvents(small, r, [signed], { mayCreate: false });
      return finish(ctx, workflowIdFor(r));
    },
  },
  {
    // Duplicates after the final status, in the linger: the run hands over and lingers on.
    name: 'hand-over-during-linger',
    allRuns: true,
    async run(ctx) {
      const small = { ...handingOver(ctx), engine: { ...handingOver(ctx).engine, lingerAfterFinal: '4s' } };
      const r = ref('evrotrust');
      await registerTransaction(small, r, {});
      const signed = evrotrustEvent(2, 'callback', now());
      await deliverEvents(small, r, [signed], { mayCreate: false });
      await sleep(500);
      for (let i = 0; i < 4; i++) await deliverEvents(small, r, [signed], { mayCreate: false });
      return finish(ctx, workflowIdFor(r));
    },
  },
  {
    // The status API hangs while callbacks flood in: the follow-up is cancelled at the
    // threshold and an operator's pending poll is carried into the next run.
    name: 'hand-over-during-follow-up',
    allRuns: true,
    async run(ctx) {
      const small = handingOver(ctx);
      const r = ref('evrotrust');
      const id = workflowIdFor(r);
      scripts.set(id, [
        { hangMs: 20_000 },
        { events: [evrotrustEvent(2, 'poll', now())], outcome: 'polled: status 2' },
      ]);
      await registerTransaction(small, r, { followUp: { firstAfter: '1s' } });
      await until('the hanging follow-up', () => (asked.get(id) ?? 0) >= 1);
      const handle = ctx.client.workflow.getHandle(id);
      await handle.signal(followUpNowSignal, { mode: 'poll' });
      for (let i = 0; i < 3; i++)
        await deliverEvents(small, r, [evrotrustEvent(1, 'callback', now())], { mayCreate: false });
      return finish(ctx, id);
    },
  },
  {
    // The status API refuses (401) through the deadline: unconfirmed, then accepted by an operator.
    name: 'held-final-unconfirmed-accepted',
    async run(ctx) {
      const r = ref('evrotrust');
      const id = workflowIdFor(r);
      const confirming = confirmingEvrotrust(ctx, { heldFinal: { checks: ['1s'], grace: '1h' } });
      scripts.set(id, Array.from({ length: 20 }, unauthorized));
      await registerTransaction(confirming, r, { deadline: inSeconds(3), steps: { onSigned: ['archiveDocument'] } });
      await deliverEvents(confirming, r, [{ ...evrotrustEvent(2, 'callback', now()), unverified: true }], {
        mayCreate: false,
      });
      await until('unconfirmed', async () => (await getState(ctx.client, id))?.status === 'unconfirmed');
      await decideHeldFinal(ctx.client, id, { decision: 'accept', by: 'capture', reason: 'seen at the provider' });
      return finish(ctx, id);
    },
  },
  {
    // A step fails for good; an operator retries it while the transaction lingers.
    name: 'step-failed-retried',
    async run(ctx) {
      const lingering = { ...ctx, engine: { ...ctx.engine, lingerAfterFinal: '10s' } };
      const r = ref('evrotrust');
      const id = workflowIdFor(r);
      await registerTransaction(lingering, r, { steps: { onSigned: [{ name: 'flakyStep', maximumAttempts: 1 }] } });
      await deliverEvents(lingering, r, [evrotrustEvent(2, 'callback', now())], { mayCreate: false });
      await until('the failed step', async () =>
        ((await getState(ctx.client, id))?.steps ?? []).some((s) => s.status === 'failed'),
      );
      await retryFailedSteps(lingering, id);
      return finish(ctx, id);
    },
  },
  {
    // The unregistered run closed on its TTL; a final callback came after (a late record);
    // the application registers: the new run holds both, with no operator.
    name: 'ttl-restart-folds-late',
    async run(ctx) {
      const r = ref('evrotrust');
      const id = workflowIdFor(r);
      await deliverEvents(ctx, r, [evrotrustEvent(1, 'callback', now())], { mayCreate: true });
      await finish(ctx, id);
      if ((await deliverEvents(ctx, r, [evrotrustEvent(2, 'callback', now())], { mayCreate: true })) !== 'late')
        throw new Error('expected a late callback');
      await sleep(1000);
      await registerTransaction(ctx, r, { reference: 'order-late' });
      return finish(ctx, id);
    },
  },
  {
    // An operator applies a late callback by hand: a new run carrying the closed one.
    name: 'late-apply',
    async run(ctx) {
      const r = ref('signhost');
      const id = workflowIdFor(r);
      await registerTransaction(ctx, r, { deadline: inSeconds(2) });
      await finish(ctx, id);
      const late = signhostEvents(
        signhostTransactionSchema.parse({ Id: r.externalId, Status: 30, Signers: [], CancellationReason: null }),
        'callback',
        now(),
      );
      if ((await deliverEvents(ctx, r, late, { mayCreate: false })) !== 'late') throw new Error('expected late');
      const lateId = (await listWorkflows(ctx.client, `${LATE_QUERY} AND SigningExternalId = '${r.externalId}'`))[0];
      await applyLate(ctx, lateId.workflowId);
      return finish(ctx, id);
    },
  },
];

/** Every run of a chain, oldest first, each with its own file name. */
async function runsOf(ctx: TransactionContext, workflowId: string, name: string, version: string) {
  const runs: Array<{ runId: string; at: number }> = [];
  for await (const wf of ctx.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push({ runId: wf.runId, at: wf.startTime.getTime() });
  runs.sort((a, b) => a.at - b.at);
  return runs.map(({ runId }, i) => ({ runId, file: `${name}.run${i + 1}.${version}.json` }));
}

async function main() {
  const version = workflowCodeVersion();
  const config = testConfig(
    { LINGER_AFTER_FINAL: '2s', UNREGISTERED_TTL: '3s', COUNTERSIGN_ENCRYPTION_KEYS: REPLAY_KEYS },
    'countersign',
  );
  const env = await startDevServerEnv();
  const base = createProviders(config);
  const providers = {
    ...base,
    evrotrust: scripted(base.evrotrust),
    signhost: scripted(base.signhost),
    signicat: scripted(base.signicat),
  };
  const worker = await startCountersignWorker({
    config,
    connection: env.nativeConnection,
    providers,
    workflowBundle: await workflowBundle(),
    activities: {
      async archiveDocument(input: StepInput) {
        return { archivedAs: `${input.transaction.externalId}.pdf` };
      },
      async slowStep(input: StepInput) {
        slowStepStarted.add(input.transaction.workflowId);
        await sleep(3_000);
        return { done: true };
      },
      async flakyStep(input: StepInput) {
        const n = (flakyStepCalls.get(input.transaction.workflowId) ?? 0) + 1;
        flakyStepCalls.set(input.transaction.workflowId, n);
        if (n === 1)
          throw ApplicationFailure.create({ type: 'CrmDown', message: 'CRM answered 500', nonRetryable: true });
        return { sentAt: now() };
      },
      async notifyCrm() {
        throw ApplicationFailure.create({ type: 'CrmDown', message: 'CRM answered 500', nonRetryable: true });
      },
    },
  });
  // Histories are captured encrypted, as production writes them.
  const client = new Client({ connection: env.connection, dataConverter: replayDataConverter() });
  const ctx: TransactionContext = { client, taskQueue: config.temporal.taskQueue, engine: config.engine };
  try {
    mkdirSync(HISTORIES_DIR, { recursive: true });
    const written = (
      await Promise.all(
        SCENARIOS.map(async (s) => {
          const workflowId = await s.run(ctx);
          const runs = s.allRuns
            ? await runsOf(ctx, workflowId, s.name, version)
            : [{ runId: undefined, file: `${s.name}.${version}.json` }];
          return Promise.all(
            runs.map(async ({ runId, file }) => {
              const history = await ctx.client.workflow.getHandle(workflowId, runId).fetchHistory();
              const path = join(HISTORIES_DIR, file);
              writeFileSync(path, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
              return `${relative(ROOT, path)} (${history.events?.length ?? 0} events)`;
            }),
          );
        }),
      )
    ).flat();
    process.stdout.write(
      `Workflow code version ${version}; histories written:\n${written.map((w) => `  ${w}`).join('\n')}\n`,
    );
  } finally {
    await worker.stop();
    await env.teardown();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
