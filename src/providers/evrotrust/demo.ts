// Evrotrust in `npm run simulators` and `npm run demo`: its simulator with demo credentials,
// and a transaction signed in the app and one whose callback is lost.
import { LOST_CALLBACK, type ProviderDemo, type ScenarioContext } from '../kit/simulator/provider-demo';
import { EvrotrustSimulator } from './simulator';

async function sendForSigning(ctx: ScenarioContext, suffix: string): Promise<string> {
  const transactionID = ctx.id(suffix);
  await ctx.simulator('evrotrust', '/transactions', {
    transactionID,
    urlCallback: `${ctx.endpoints.countersign}/callbacks/evrotrust`,
  });
  return transactionID;
}

export const demo: ProviderDemo = {
  simulator: {
    port: 4101,
    credentials: (env) => ({
      EVROTRUST_API_KEY: env.EVROTRUST_API_KEY ?? 'demo-evrotrust-key',
      EVROTRUST_VENDOR_NUMBER: env.EVROTRUST_VENDOR_NUMBER ?? 'demo-vendor',
    }),
    create: ({ credentials }) =>
      new EvrotrustSimulator({
        apiKey: credentials.EVROTRUST_API_KEY,
        vendorNumber: credentials.EVROTRUST_VENDOR_NUMBER,
      }),
    callbacksNote: (countersign) =>
      `Evrotrust callbacks go to each transaction's urlCallback, e.g. ${countersign}/callbacks/evrotrust`,
  },
  scenarios: [
    {
      provider: 'evrotrust',
      kind: 'signing',
      title: 'signed in the app',
      // Evrotrust's callback proves nothing: its final status counts once the status API confirms it.
      expect: { status: 'signed', source: 'poll' },
      async run(ctx) {
        const transactionID = await sendForSigning(ctx, 'evrotrust-signed');
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
        const transactionID = await sendForSigning(ctx, 'evrotrust-lost');
        await ctx.register({
          provider: 'evrotrust',
          externalId: transactionID,
          reference: 'order-1002',
          ...LOST_CALLBACK,
        });
        ctx.say(`registered; asks after ${LOST_CALLBACK.followUp.firstAfter} of silence`);
        await ctx.beat();
        await ctx.simulator('evrotrust', `/transactions/${transactionID}/status`, { status: 2, callback: false });
        ctx.say('signed; the callback is lost');
      },
    },
  ],
};
