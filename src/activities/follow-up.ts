import { log } from '@temporalio/activity';
import type { Provider } from '../providers/provider';
import type { FollowUpRequest, FollowUpResult, ProviderName } from '../shared/types';
import { asActivityFailure } from './provider-failure';

/**
 * Asks the provider about a transaction that fell silent. What "asking" means (a status poll,
 * a request to resend the callback) is the provider module's business.
 */
export function createFollowUp(providers: Partial<Record<ProviderName, Provider>>) {
  return async function followUp(req: FollowUpRequest): Promise<FollowUpResult> {
    const provider = providers[req.ref.provider];
    if (!provider?.followUp) return { events: [], outcome: `no follow-up available for ${req.ref.provider}` };
    let result: FollowUpResult;
    try {
      result = await provider.followUp(req);
    } catch (err) {
      throw asActivityFailure(err);
    }
    log.info('follow-up done', { workflowId: req.workflowId, attempt: req.attempt, outcome: result.outcome, events: result.events.length });
    return result;
  };
}
