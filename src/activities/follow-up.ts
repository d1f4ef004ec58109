import { log } from '@temporalio/activity';
import type { FollowUpMethod, FollowUpOutcome, Metrics } from '../platform/metrics';
import type { Provider } from '../providers/provider';
import type { FollowUpRequest, FollowUpResult, ProviderName } from '../common/types';
import { asActivityFailure } from './provider-failure';

/**
 * Asks the provider about a transaction that fell silent. What "asking" means (a status poll,
 * a request to resend the callback) is the provider module's business.
 */
export function createFollowUp(
  providers: Record<ProviderName, Provider>,
  metrics?: Partial<Pick<Metrics, 'followUps' | 'heldFinalChecks'>>,
) {
  return async function followUp(req: FollowUpRequest): Promise<FollowUpResult> {
    const count = (provider: ProviderName, method: FollowUpMethod, outcome: FollowUpOutcome) => {
      metrics?.followUps?.inc({ provider, method, outcome });
      if (req.purpose === 'held-final') metrics?.heldFinalChecks?.inc({ provider, outcome });
    };
    const provider = providers[req.ref.provider];
    if (!provider?.followUp) {
      count(req.ref.provider, 'none', 'unsupported');
      return { events: [], outcome: `no follow-up available for ${req.ref.provider}` };
    }
    let result: FollowUpResult;
    try {
      result = await provider.followUp(req);
    } catch (err) {
      count(req.ref.provider, 'unknown', 'error');
      throw asActivityFailure(err);
    }
    count(req.ref.provider, followUpMethod(result), result.events.length > 0 ? 'news' : 'no-news');
    log.info('follow-up done', {
      workflowId: req.workflowId,
      attempt: req.attempt,
      outcome: result.outcome,
      events: result.events.length,
    });
    return result;
  };
}

/**
 * Events say how they were learned (`poll` or `notify`); a follow-up that learned nothing only
 * says so in its outcome text, where providers that re-notify mention it.
 */
export function followUpMethod(result: FollowUpResult): FollowUpMethod {
  const source = result.events.find((e) => e.source === 'poll' || e.source === 'notify')?.source;
  if (source === 'poll' || source === 'notify') return source;
  return /notif/i.test(result.outcome) ? 'notify' : 'poll';
}
