// What `npm run demo` plays: transactions at all four providers through their whole life,
// each driven through a simulator's control API the way a real signer and provider would act,
// and registered through Countersign's own application API.
import type { EventSource, ProviderName, TransactionKind, TransactionState, TransactionStatus } from '../common/types';

/** Silence before the engine asks the provider, for the lost-callback scenarios. */
export const DEMO_FOLLOW_UP_AFTER = '5s';

export interface DemoEndpoints {
  countersign: string;
  /** Bearer token of Countersign's application API, when it has one. */
  apiToken?: string;
  simulators: Record<ProviderName, string>;
  /** The `authorizationHeader` each Signicat process is created with. */
  signicatAuthorization: string;
}

export interface ScenarioContext {
  endpoints: DemoEndpoints;
  /** A fresh id for this run, unique across runs (the dev server keeps its data). */
  id(suffix: string): string;
  /** Waits one demo beat, so a person can follow. */
  beat(): Promise<unknown>;
  /** What just happened, shown on the scenario's row. */
  say(text: string): void;
  /** Registers the transaction through `POST /transactions`; returns its workflow id. */
  register(body: Record<string, unknown>): Promise<string>;
  /** A simulator's control API: `POST {simulator}/_simulator{path}`. */
  simulator(provider: ProviderName, path: string, body?: Record<string, unknown>): Promise<unknown>;
}

export interface Expectation {
  status: TransactionStatus;
  /** Where the event that brought that status came from. */
  source: EventSource;
  /** Signicat: the engine asked for the callback again (Notify) before it came. */
  afterNotify?: boolean;
}

export interface Scenario {
  provider: ProviderName;
  kind: TransactionKind;
  title: string;
  expect: Expectation;
  run(ctx: ScenarioContext): Promise<void>;
}

const lostCallback = { followUp: { firstAfter: DEMO_FOLLOW_UP_AFTER } };
const portalSigner = (n: number) => ({ name: `Demo Signer ${n}`, identifier: `000.000.000-0${n}` });

export const SCENARIOS: Scenario[] = [
  {
    provider: 'evrotrust',
    kind: 'signing',
    title: 'signed in the app',
    // Evrotrust's callback proves nothing: its final status counts once the status API confirms it.
    expect: { status: 'signed', source: 'poll' },
    async run(ctx) {
      const transactionID = ctx.id('evrotrust-signed');
      await ctx.simulator('evrotrust', '/transactions', {
        transactionID,
        urlCallback: `${ctx.endpoints.countersign}/callbacks/evrotrust`,
      });
      await ctx.register({ provider: 'evrotrust', externalId: transactionID, reference: 'order-1001' });
      ctx.say('document sent to the signer');
      await ctx.beat();
      await ctx.simulator('evrotrust', `/transactions/${transactionID}/status`, { status: 1 });
      ctx.say('callback: status 1 (pending)');
      await ctx.beat();
      await ctx.simulator('evrotrust', `/transactions/${transactionID}/status`, { status: 2 });
      ctx.say('callback: status 2 (signed), held until Evrotrust confirms it');
    },
  },
  {
    provider: 'evrotrust',
    kind: 'signing',
    title: 'callback lost, polled',
    expect: { status: 'signed', source: 'poll' },
    async run(ctx) {
      const transactionID = ctx.id('evrotrust-lost');
      await ctx.simulator('evrotrust', '/transactions', {
        transactionID,
        urlCallback: `${ctx.endpoints.countersign}/callbacks/evrotrust`,
      });
      await ctx.register({
        provider: 'evrotrust',
        externalId: transactionID,
        reference: 'order-1002',
        ...lostCallback,
      });
      ctx.say(`registered; asks after ${DEMO_FOLLOW_UP_AFTER} of silence`);
      await ctx.beat();
      await ctx.simulator('evrotrust', `/transactions/${transactionID}/status`, { status: 2, callback: false });
      ctx.say('signed; the callback is lost');
    },
  },
  {
    provider: 'signhost',
    kind: 'signing',
    title: 'signer activities, signed',
    expect: { status: 'signed', source: 'callback' },
    async run(ctx) {
      const Id = ctx.id('signhost-signed');
      await ctx.simulator('signhost', '/transactions', { Id, Reference: 'order-2001' });
      await ctx.register({ provider: 'signhost', externalId: Id, reference: 'order-2001' });
      const activity = async (code: number, what: string) => {
        await ctx.beat();
        await ctx.simulator('signhost', `/transactions/${Id}/activities`, { code });
        ctx.say(`postback: signer activity ${code} (${what})`);
      };
      await activity(101, 'invitation sent');
      await activity(103, 'opened');
      await ctx.beat();
      await ctx.simulator('signhost', `/transactions/${Id}/status`, { status: 20 });
      ctx.say('postback: status 20 (in progress)');
      await activity(203, 'signed');
      await ctx.beat();
      await ctx.simulator('signhost', `/transactions/${Id}/status`, { status: 30 });
      ctx.say('postback: status 30 (signed), checksum verified');
    },
  },
  {
    provider: 'signhost',
    kind: 'signing',
    title: 'postback lost, polled',
    expect: { status: 'signed', source: 'poll' },
    async run(ctx) {
      const Id = ctx.id('signhost-lost');
      await ctx.simulator('signhost', '/transactions', { Id, Reference: 'order-2002' });
      await ctx.register({ provider: 'signhost', externalId: Id, reference: 'order-2002', ...lostCallback });
      ctx.say(`registered; asks after ${DEMO_FOLLOW_UP_AFTER} of silence`);
      await ctx.beat();
      await ctx.simulator('signhost', `/transactions/${Id}/status`, { status: 30, postback: false });
      ctx.say('signed; the postback is lost');
    },
  },
  {
    provider: 'signicat',
    kind: 'signing',
    title: 'rejected',
    expect: { status: 'rejected', source: 'callback' },
    async run(ctx) {
      const process = await createSignicatProcess(ctx, 'signicat-rejected');
      await ctx.register({
        provider: 'signicat',
        externalId: process.processId,
        dossierId: process.dossierId,
        reference: 'order-3001',
      });
      ctx.say('process created; Signicat calls back only at the end');
      await ctx.beat();
      await ctx.beat();
      await ctx.simulator('signicat', `/processes/${process.processId}/status`, { status: 'rejected' });
      ctx.say('callback: rejected');
    },
  },
  {
    provider: 'signicat',
    kind: 'signing',
    title: 'callback lost, Notify',
    expect: { status: 'signed', source: 'callback', afterNotify: true },
    async run(ctx) {
      const process = await createSignicatProcess(ctx, 'signicat-notify');
      await ctx.register({
        provider: 'signicat',
        externalId: process.processId,
        dossierId: process.dossierId,
        reference: 'order-3002',
        ...lostCallback,
      });
      ctx.say(`registered; asks after ${DEMO_FOLLOW_UP_AFTER} of silence`);
      await ctx.beat();
      await ctx.simulator('signicat', `/processes/${process.processId}/status`, {
        status: 'accepted',
        callback: false,
      });
      ctx.say('accepted; the callback is lost');
    },
  },
  {
    provider: 'portal-de-assinaturas',
    kind: 'signing',
    title: 'two signers, signed',
    expect: { status: 'signed', source: 'callback' },
    async run(ctx) {
      const documentId = ctx.id('portal-signed');
      await ctx.simulator('portal-de-assinaturas', '/documents', { documentId });
      await ctx.register({ provider: 'portal-de-assinaturas', externalId: documentId, reference: 'contract-4001' });
      for (const [action, who] of [
        ['SIGNATURE-ELETRONIC', 1],
        ['STEP-1', 1],
        ['SIGNATURE-ELETRONIC', 2],
        ['FLOW', 2],
      ] as const) {
        await ctx.beat();
        await ctx.simulator('portal-de-assinaturas', `/documents/${documentId}/actions`, {
          action,
          ...portalSigner(who),
        });
        ctx.say(`callback: ${action}${action.startsWith('SIGNATURE') ? ` (signer ${who})` : ''}`);
      }
    },
  },
  {
    provider: 'portal-de-assinaturas',
    kind: 'signing',
    title: 'rejected (SIGNATURE-NOK)',
    expect: { status: 'rejected', source: 'callback' },
    async run(ctx) {
      const documentId = ctx.id('portal-rejected');
      await ctx.simulator('portal-de-assinaturas', '/documents', { documentId });
      await ctx.register({ provider: 'portal-de-assinaturas', externalId: documentId, reference: 'contract-4002' });
      await ctx.beat();
      await ctx.simulator('portal-de-assinaturas', `/documents/${documentId}/actions`, {
        action: 'SIGNATURE-ELETRONIC',
        ...portalSigner(1),
      });
      ctx.say('callback: SIGNATURE-ELETRONIC (signer 1)');
      await ctx.beat();
      await ctx.simulator('portal-de-assinaturas', `/documents/${documentId}/actions`, {
        action: 'SIGNATURE-NOK',
        ...portalSigner(2),
      });
      ctx.say('callback: SIGNATURE-NOK (signer 2 refused)');
    },
  },
  {
    provider: 'portal-de-assinaturas',
    kind: 'signing',
    title: 'callback lost, polled',
    expect: { status: 'signed', source: 'poll' },
    async run(ctx) {
      const documentId = ctx.id('portal-lost');
      await ctx.simulator('portal-de-assinaturas', '/documents', { documentId });
      await ctx.register({
        provider: 'portal-de-assinaturas',
        externalId: documentId,
        reference: 'contract-4003',
        ...lostCallback,
      });
      ctx.say(`registered; asks after ${DEMO_FOLLOW_UP_AFTER} of silence`);
      await ctx.beat();
      await ctx.simulator('portal-de-assinaturas', `/documents/${documentId}/actions`, {
        action: 'FLOW',
        ...portalSigner(1),
        callback: false,
      });
      ctx.say('FLOW (signed); the callback is lost');
    },
  },
  {
    provider: 'portal-de-assinaturas',
    kind: 'registered-mail',
    title: 'registered mail delivered, opened',
    expect: { status: 'opened', source: 'callback' },
    async run(ctx) {
      const registeredMailId = ctx.id('portal-mail');
      await ctx.simulator('portal-de-assinaturas', '/registered-mails', {
        registeredMailId,
        recipient: 'recipient@example.test',
      });
      await ctx.register({
        provider: 'portal-de-assinaturas',
        kind: 'registered-mail',
        externalId: registeredMailId,
        reference: 'notice-5001',
      });
      ctx.say('registered mail sent');
      await ctx.beat();
      await ctx.simulator('portal-de-assinaturas', `/registered-mails/${registeredMailId}/events`, {
        action: 'DELIVERED',
      });
      ctx.say('callback: DELIVERED');
      await ctx.beat();
      await ctx.simulator('portal-de-assinaturas', `/registered-mails/${registeredMailId}/events`, {
        action: 'OPENED',
      });
      ctx.say('callback: OPENED');
    },
  },
];

async function createSignicatProcess(ctx: ScenarioContext, name: string) {
  const process = { dossierId: ctx.id(`${name}-dossier`), processId: ctx.id(name) };
  await ctx.simulator('signicat', '/processes', {
    ...process,
    notificationUrl: `${ctx.endpoints.countersign}/callbacks/signicat`,
    authorizationHeader: ctx.endpoints.signicatAuthorization,
  });
  return process;
}

/** The applied event that brought the transaction to its current status, if any. */
export function decisiveEvent(state: TransactionState) {
  return [...state.events].reverse().find((e) => e.applied && e.status === state.status);
}

/** Whether the transaction ended as the scenario expects, and got there the expected way. */
export function reached(expect: Expectation, state: TransactionState): boolean {
  if (state.status !== expect.status) return false;
  if (decisiveEvent(state)?.source !== expect.source) return false;
  return !expect.afterNotify || (state.lastFollowUp?.outcome.startsWith('notify requested') ?? false);
}
