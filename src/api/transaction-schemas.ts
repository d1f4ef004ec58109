import { z } from 'zod';
import { builtInProviders, type ProviderRegistry } from '../providers/registry';
import { DURATION_HINT, DURATION_PATTERN } from '../common/duration';
import { KINDS } from '../common/types';
import { ACCOUNT_NAME, DEFAULT_ACCOUNT } from '../providers/accounts';
import { stepPlan } from '../config/steps';

const durationText = z.string().regex(DURATION_PATTERN, DURATION_HINT);

/** Body of `POST /transactions` (docs/contract.md "Application API") for the configured providers. */
export const registerTransactionBodyFor = (
  providers: ProviderRegistry,
  /** Named accounts by provider (docs/accounts.md); unset: any well-formed name passes. */
  accounts?: Record<string, readonly string[]>,
) =>
  z
    .object({
      provider: z.enum(providers.names as [string, ...string[]]),
      /** The provider account the transaction belongs to; absent or `default`: the unnamed one. */
      account: z
        .string()
        .regex(ACCOUNT_NAME, 'expected an account name (lower-case letters and digits)')
        .optional()
        .transform((v) => (v === DEFAULT_ACCOUNT ? undefined : v)),
      // ':' would be ambiguous inside the workflow id only at the front; ids are otherwise opaque.
      externalId: z.union([z.string().trim().min(1).max(200), z.number().int().nonnegative()]).transform(String),
      kind: z.enum(KINDS).default('signing'),
      dossierId: z.string().trim().min(1).max(200).optional(),
      reference: z.string().max(200).optional(),
      deadline: z.iso.datetime({ offset: true }).optional(),
      steps: stepPlan.optional(),
      followUp: z
        .object({
          firstAfter: durationText.optional(),
          backoff: z.number().min(1).max(10).optional(),
          maxInterval: durationText.optional(),
        })
        .strict()
        .optional(),
    })
    .strict()
    .superRefine((body, ctx) => {
      for (const problem of registrationProblems(providers, body)) ctx.addIssue({ code: 'custom', ...problem });
      const known = accounts?.[body.provider] ?? [];
      if (accounts && body.account !== undefined && !known.includes(body.account))
        ctx.addIssue({
          code: 'custom',
          path: ['account'],
          message: `${body.provider} has no account ${body.account} (configured: ${[DEFAULT_ACCOUNT, ...known].join(', ')})`,
        });
    });

/** The body schema with the built-in providers (what /openapi.json shows without extra ones). */
export const registerTransactionBody = registerTransactionBodyFor(builtInProviders);

export type RegisterTransactionBody = z.infer<typeof registerTransactionBody>;

/**
 * What a provider's module requires of a registration: the kinds it tracks and the fields it
 * needs (e.g. a `dossierId`). The API and the client library both refuse with these.
 */
export function registrationProblems(
  providers: ProviderRegistry,
  body: { provider: string; kind?: string } & Record<string, unknown>,
): Array<{ path: string[]; message: string }> {
  const module = providers.get(body.provider);
  if (!module) return [{ path: ['provider'], message: `unknown provider ${body.provider}` }];
  const kind = body.kind ?? 'signing';
  const problems: Array<{ path: string[]; message: string }> = [];
  if (!module.kinds.includes(kind as (typeof KINDS)[number])) {
    problems.push({
      path: ['kind'],
      message: `${kind} is not tracked at ${module.name} (only ${module.kinds.join(', ')})`,
    });
  }
  for (const field of module.requiredRegistrationFields ?? []) {
    if (body[field] === undefined || body[field] === '')
      problems.push({ path: [field], message: `required for ${module.name}` });
  }
  return problems;
}

// Response shapes, for the OpenAPI document only: the API never parses its own answers.
// Loose objects, because the state grows new fields as providers report more.
export const registerTransactionResponse = z.object({ workflowId: z.string() });
export const errorResponse = z.looseObject({ error: z.string(), detail: z.string().optional() });

const eventRecord = z.looseObject({
  key: z.string(),
  type: z.string(),
  source: z.enum(['callback', 'poll', 'notify', 'application']),
  receivedAt: z.string(),
  providerStatus: z.string(),
  status: z.string().optional(),
  reason: z.string().optional(),
  applied: z.boolean(),
});

/** The `state` query's JSON, as `GET /transactions/{workflowId}` answers it. */
export const transactionStateResponse = z.looseObject({
  workflowId: z.string(),
  provider: z.string(),
  kind: z.enum(KINDS),
  externalId: z.string(),
  status: z.string(),
  providerStatus: z.string().optional(),
  registered: z.boolean(),
  reference: z.string().optional(),
  dossierId: z.string().optional(),
  deadline: z.string().optional(),
  events: z.array(eventRecord),
  outcomeReason: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastFollowUp: z.looseObject({ at: z.string(), outcome: z.string() }).optional(),
  nextFollowUpAt: z.string().optional(),
});

/** An operator settling a held final status (`POST /transactions/{workflowId}/held-final`). */
export const heldDecisionBody = z
  .object({
    decision: z.enum(['accept', 'reject']),
    by: z.string().trim().min(1).max(200).describe('who decided'),
    reason: z.string().trim().min(1).max(1000).describe('why'),
  })
  .strict();
