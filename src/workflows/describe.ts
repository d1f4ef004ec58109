import type { TransactionState } from '../common/types';

/** The Web UI's "current details": what the transaction is waiting for, in a few lines. */
export function describe(state: TransactionState): string {
  const lines = [`**${state.status}** · ${state.provider} ${state.kind} \`${state.externalId}\``];
  if (state.reference) lines.push(`reference: ${state.reference}`);
  if (state.status === 'unregistered')
    lines.push(
      'waiting for the application to register it (a callback started it; if the application registered it long ago and it closed before the namespace retention, its record is gone and this is a late callback)',
    );
  const held = state.awaitingConfirmation;
  if (held)
    lines.push(
      `held: "${held.status}" from an unverified callback at ${held.receivedAt}, waiting for ${state.provider}'s confirmation` +
        ` (${held.checks ?? 0} checks${held.nextCheckAt ? `, next ${held.nextCheckAt}` : ''}${held.lastError ? `; last: ${held.lastError}` : ''})`,
    );
  if (state.nextFollowUpAt) lines.push(`next follow-up: ${state.nextFollowUpAt}`);
  if (state.lastFollowUp) lines.push(`last follow-up: ${state.lastFollowUp.at} (${state.lastFollowUp.outcome})`);
  if (state.outcomeReason) lines.push(state.outcomeReason);
  if (state.eventCounts?.summarized)
    lines.push(`${state.eventCounts.recorded} events, ${state.eventCounts.summarized} summarized`);
  for (const step of state.steps ?? [])
    lines.push(`step ${step.name}: ${step.status}${step.error ? ` (${step.error})` : ''}`);
  if (state.attention?.length) lines.push(`needs attention: ${state.attention.join(', ')}`);
  return lines.join('\n');
}
