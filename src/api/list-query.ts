// The query string of `GET /transactions`, parsed with the filters `countersign list` takes.
import { z } from 'zod';
import { parseSince } from '../temporal/transaction-list';
import { builtInProviders, type ProviderRegistry } from '../providers/registry';
import { ATTENTION_REASONS, REGISTERED_MAIL_STATUSES, SIGNING_STATUSES } from '../common/types';

export const LIST_STATUSES = [...SIGNING_STATUSES, ...REGISTERED_MAIL_STATUSES, 'unregistered'] as const;

export const listTransactionsQueryFor = (providers: ProviderRegistry) =>
  z
    .object({
      provider: z.enum(providers.names as [string, ...string[]]).optional(),
      status: z.enum(LIST_STATUSES).optional(),
      since: z
        .string()
        .optional()
        .describe('ISO time, or a duration back from now: 15m, 1h, 2d')
        .transform((v, ctx) => {
          if (v === undefined) return undefined;
          const at = parseSince(v);
          if (!at) ctx.addIssue({ code: 'custom', message: 'expected an ISO time or a duration like 1h' });
          return at;
        }),
      open: z.enum(['true', 'false']).optional().describe('true: open transactions only'),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(1000).optional().describe('nextCursor of the previous page'),
      attention: z
        .enum(ATTENTION_REASONS)
        .optional()
        .describe(
          "held-final: finals waiting for the provider's confirmation; step-failed: a post-signing step failed for good",
        ),
    })
    .strict();

export const listTransactionsQuery = listTransactionsQueryFor(builtInProviders);

export const transactionListResponse = z.object({
  transactions: z.array(
    z.object({
      workflowId: z.string(),
      type: z.string(),
      provider: z.string().optional(),
      status: z.string().optional(),
      externalId: z.string().optional(),
      run: z.string(),
      startTime: z.string(),
      closeTime: z.string().optional(),
      lastChange: z.string(),
    }),
  ),
  nextCursor: z.string().optional(),
});
