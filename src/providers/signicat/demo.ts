// Signicat in `npm run simulators` and `npm run demo`: its simulator with demo credentials,
// and a process rejected and one whose callback is lost, so the engine asks for it (Notify).
import { LOST_CALLBACK, type ProviderDemo, type ScenarioContext } from '../kit/simulator/provider-demo';
import { SignicatSimulator } from './simulator';

async function createProcess(ctx: ScenarioContext, name: string) {
  const process = { dossierId: ctx.id(`${name}-dossier`), processId: ctx.id(name) };
  await ctx.simulator('signicat', '/processes', {
    ...process,
    notificationUrl: `${ctx.endpoints.countersign}/callbacks/signicat`,
    // Signicat sends it back on the callback: Countersign checks it.
    authorizationHeader: ctx.endpoints.credentials.SIGNICAT_CALLBACK_AUTHORIZATION,
  });
  return process;
}

export const demo: ProviderDemo = {
  simulator: {
    port: 4103,
    credentials: (env) => ({
      SIGNICAT_CLIENT_ID: env.SIGNICAT_CLIENT_ID ?? 'demo-client',
      SIGNICAT_CLIENT_SECRET: env.SIGNICAT_CLIENT_SECRET ?? 'demo-client-secret',
      SIGNICAT_CALLBACK_AUTHORIZATION: env.SIGNICAT_CALLBACK_AUTHORIZATION ?? 'demo-signicat-callback',
    }),
    create: ({ credentials, env }) =>
      new SignicatSimulator({
        clientId: credentials.SIGNICAT_CLIENT_ID,
        clientSecret: credentials.SIGNICAT_CLIENT_SECRET,
        notifyPath: env.SIGNICAT_NOTIFY_PATH,
      }),
    callbacksNote: (countersign) =>
      `Signicat callbacks go to each process's notificationUrl, e.g. ${countersign}/callbacks/signicat`,
  },
  scenarios: [
    {
      provider: 'signicat',
      kind: 'signing',
      title: 'rejected',
      expect: { status: 'rejected', source: 'callback' },
      async run(ctx) {
        const process = await createProcess(ctx, 'signicat-rejected');
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
        const process = await createProcess(ctx, 'signicat-notify');
        await ctx.register({
          provider: 'signicat',
          externalId: process.processId,
          dossierId: process.dossierId,
          reference: 'order-3002',
          ...LOST_CALLBACK,
        });
        ctx.say(`registered; asks after ${LOST_CALLBACK.followUp.firstAfter} of silence`);
        await ctx.beat();
        await ctx.simulator('signicat', `/processes/${process.processId}/status`, {
          status: 'accepted',
          callback: false,
        });
        ctx.say('accepted; the callback is lost');
      },
    },
  ],
};
