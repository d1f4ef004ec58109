// The follow-up activity counts what it did, by provider, method and outcome.
import { MockActivityEnvironment } from '@temporalio/testing';
import { createFollowUp } from '../../src/activities/follow-up';
import { createMetrics } from '../../src/platform/metrics';
import { UNVERIFIED, type Provider } from '../../src/providers/provider';
import type { FollowUpRequest, FollowUpResult, ProviderEvent } from '../../src/common/types';

const event = (source: ProviderEvent['source']): ProviderEvent => ({
  key: 'status:2',
  type: 'signed',
  source,
  receivedAt: '2024-01-01T00:00:00.000Z',
  status: 'signed',
  providerStatus: '2',
});

function fakeProvider(name: Provider['name'], followUp?: () => Promise<FollowUpResult>): Provider {
  return {
    name,
    authenticate: () => UNVERIFIED,
    callbackPaths: ['/'],
    allowedIps: [],
    parseCallback: () => ({ kind: 'ignored', note: 'unused' }),
    answer: () => ({ status: 200 }),
    ...(followUp && { followUp }),
  };
}

const request = (provider: Provider['name']): FollowUpRequest => ({
  ref: { provider, kind: 'signing', externalId: 'x' },
  workflowId: `signing:${provider}:x`,
  attempt: 1,
});

async function counts(metrics: ReturnType<typeof createMetrics>) {
  const { values } = await metrics.followUps.get();
  return values.map((v) => ({ ...v.labels, value: v.value }));
}

describe('follow-up metrics', () => {
  it('counts polls with and without news, notifies, providers without follow-up, and failures', async () => {
    const metrics = createMetrics();
    let next: () => Promise<FollowUpResult> = async () => ({ events: [event('poll')], outcome: 'polled: status 2' });
    const providers = {
      evrotrust: fakeProvider('evrotrust', () => next()),
      signicat: fakeProvider('signicat', async () => ({ events: [], outcome: 'notify requested' })),
      signhost: fakeProvider('signhost'),
    };
    const followUp = createFollowUp(providers, metrics);
    const env = new MockActivityEnvironment();

    await env.run(followUp, request('evrotrust'));
    next = async () => ({ events: [], outcome: 'polled: status 1 (no change)' });
    await env.run(followUp, request('evrotrust'));
    await env.run(followUp, request('evrotrust'));
    await env.run(followUp, request('signicat'));
    await env.run(followUp, request('signhost'));
    next = async () => {
      throw new Error('provider down');
    };
    await expect(env.run(followUp, request('evrotrust'))).rejects.toThrow('provider down');

    expect(await counts(metrics)).toEqual(
      expect.arrayContaining([
        { provider: 'evrotrust', method: 'poll', outcome: 'news', value: 1 },
        { provider: 'evrotrust', method: 'poll', outcome: 'no-news', value: 2 },
        { provider: 'evrotrust', method: 'unknown', outcome: 'error', value: 1 },
        { provider: 'signicat', method: 'notify', outcome: 'no-news', value: 1 },
        { provider: 'signhost', method: 'none', outcome: 'unsupported', value: 1 },
      ]),
    );
    expect(await counts(metrics)).toHaveLength(5);
    const text = await metrics.registry.metrics();
    expect(text).toContain('countersign_follow_ups_total{provider="signicat",method="notify",outcome="no-news"} 1');
  });

  it('takes the method from the events when there are some', async () => {
    const metrics = createMetrics();
    const followUp = createFollowUp(
      { signicat: fakeProvider('signicat', async () => ({ events: [event('notify')], outcome: 'callback resent' })) },
      metrics,
    );
    await new MockActivityEnvironment().run(followUp, request('signicat'));
    expect(await counts(metrics)).toEqual([{ provider: 'signicat', method: 'notify', outcome: 'news', value: 1 }]);
  });

  it('works without metrics (activity tests pass none)', async () => {
    const followUp = createFollowUp({
      evrotrust: fakeProvider('evrotrust', async () => ({ events: [], outcome: 'polled' })),
    });
    await expect(new MockActivityEnvironment().run(followUp, request('evrotrust'))).resolves.toEqual({
      events: [],
      outcome: 'polled',
    });
  });
});
