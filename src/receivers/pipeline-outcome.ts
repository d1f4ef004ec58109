import type { Refusal } from '../providers/provider';

/** How the pipeline ends for a request whose body is read: the receiver answers and logs it. */
export type PipelineOutcome =
  { kind: 'accepted' } | { kind: 'refused'; refusal: Refusal; detail: string; workflowId?: string };

export type Refused = Extract<PipelineOutcome, { kind: 'refused' }>;

export const ACCEPTED: PipelineOutcome = { kind: 'accepted' };

export const refused = (refusal: Refusal, detail: string, workflowId?: string): Refused => ({
  kind: 'refused',
  refusal,
  detail,
  workflowId,
});
