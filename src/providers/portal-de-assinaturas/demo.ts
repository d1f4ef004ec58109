// Portal de Assinaturas in `npm run simulators` and `npm run demo`: its simulator with demo
// credentials, calling back Countersign with the configured header on every action, and
// documents signed, rejected and polled, and a registered mail delivered and opened.
import { LOST_CALLBACK, type ProviderDemo, type ScenarioContext } from '../kit/simulator/provider-demo';
import { PortalDeAssinaturasSimulator } from './simulator';

const signer = (n: number) => ({ name: `Demo Signer ${n}`, identifier: `000.000.000-0${n}` });

async function createDocument(ctx: ScenarioContext, suffix: string): Promise<string> {
  const documentId = ctx.id(suffix);
  await ctx.simulator('portal-de-assinaturas', '/documents', { documentId });
  return documentId;
}

const act = (ctx: ScenarioContext, documentId: string, body: Record<string, unknown>) =>
  ctx.simulator('portal-de-assinaturas', `/documents/${documentId}/actions`, body);

export const demo: ProviderDemo = {
  simulator: {
    port: 4104,
    credentials: (env) => ({
      PORTAL_DE_ASSINATURAS_TOKEN: env.PORTAL_DE_ASSINATURAS_TOKEN ?? 'demo-portal-token',
      PORTAL_DE_ASSINATURAS_CALLBACK_HEADER:
        env.PORTAL_DE_ASSINATURAS_CALLBACK_HEADER ?? 'X-Countersign-Key: demo-callback-key',
    }),
    create: ({ countersignUrl, credentials, env }) => {
      const [name, ...value] = credentials.PORTAL_DE_ASSINATURAS_CALLBACK_HEADER.split(':');
      return new PortalDeAssinaturasSimulator({
        token: credentials.PORTAL_DE_ASSINATURAS_TOKEN,
        statusPath: env.PORTAL_DE_ASSINATURAS_STATUS_PATH,
        callback: {
          url: `${countersignUrl}/callbacks/portal-de-assinaturas`,
          trigger: 'ACTION',
          headers: [{ name: name.trim(), value: value.join(':').trim() }],
        },
      });
    },
  },
  scenarios: [
    {
      provider: 'portal-de-assinaturas',
      kind: 'signing',
      title: 'two signers, signed',
      expect: { status: 'signed', source: 'callback' },
      async run(ctx) {
        const documentId = await createDocument(ctx, 'portal-signed');
        await ctx.register({ provider: 'portal-de-assinaturas', externalId: documentId, reference: 'contract-4001' });
        for (const [action, who] of [
          ['SIGNATURE-ELETRONIC', 1],
          ['STEP-1', 1],
          ['SIGNATURE-ELETRONIC', 2],
          ['FLOW', 2],
        ] as const) {
          await ctx.beat();
          await act(ctx, documentId, { action, ...signer(who) });
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
        const documentId = await createDocument(ctx, 'portal-rejected');
        await ctx.register({ provider: 'portal-de-assinaturas', externalId: documentId, reference: 'contract-4002' });
        await ctx.beat();
        await act(ctx, documentId, { action: 'SIGNATURE-ELETRONIC', ...signer(1) });
        ctx.say('callback: SIGNATURE-ELETRONIC (signer 1)');
        await ctx.beat();
        await act(ctx, documentId, { action: 'SIGNATURE-NOK', ...signer(2) });
        ctx.say('callback: SIGNATURE-NOK (signer 2 refused)');
      },
    },
    {
      provider: 'portal-de-assinaturas',
      kind: 'signing',
      title: 'callback lost, polled',
      expect: { status: 'signed', source: 'poll' },
      async run(ctx) {
        const documentId = await createDocument(ctx, 'portal-lost');
        await ctx.register({
          provider: 'portal-de-assinaturas',
          externalId: documentId,
          reference: 'contract-4003',
          ...LOST_CALLBACK,
        });
        ctx.say(`registered; asks after ${LOST_CALLBACK.followUp.firstAfter} of silence`);
        await ctx.beat();
        await act(ctx, documentId, { action: 'FLOW', ...signer(1), callback: false });
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
        for (const action of ['DELIVERED', 'OPENED']) {
          await ctx.beat();
          await ctx.simulator('portal-de-assinaturas', `/registered-mails/${registeredMailId}/events`, { action });
          ctx.say(`callback: ${action}`);
        }
      },
    },
  ],
};
