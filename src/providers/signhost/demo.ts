// Signhost in `npm run simulators` and `npm run demo`: its simulator with demo credentials,
// posting back to Countersign, and a transaction through its signer activities and one whose
// postback is lost.
import { LOST_CALLBACK, type ProviderDemo } from '../kit/simulator/provider-demo';
import { SignhostSimulator } from './simulator';

export const demo: ProviderDemo = {
  simulator: {
    port: 4102,
    credentials: (env) => ({
      SIGNHOST_APP_KEY: env.SIGNHOST_APP_KEY ?? 'demo-app-key',
      SIGNHOST_API_KEY: env.SIGNHOST_API_KEY ?? 'demo-api-key',
      SIGNHOST_SHARED_SECRET: env.SIGNHOST_SHARED_SECRET ?? 'demo-shared-secret',
    }),
    create: ({ countersignUrl, credentials, env }) =>
      new SignhostSimulator({
        appKey: credentials.SIGNHOST_APP_KEY,
        apiKey: credentials.SIGNHOST_API_KEY,
        sharedSecret: credentials.SIGNHOST_SHARED_SECRET,
        postbackAuthorization: env.SIGNHOST_POSTBACK_AUTHORIZATION,
        postbackUrl: `${countersignUrl}/callbacks/signhost`,
      }),
  },
  scenarios: [
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
        await ctx.register({ provider: 'signhost', externalId: Id, reference: 'order-2002', ...LOST_CALLBACK });
        ctx.say(`registered; asks after ${LOST_CALLBACK.followUp.firstAfter} of silence`);
        await ctx.beat();
        await ctx.simulator('signhost', `/transactions/${Id}/status`, { status: 30, postback: false });
        ctx.say('signed; the postback is lost');
      },
    },
  ],
};
