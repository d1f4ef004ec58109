// Post-signing steps: the plans, the user's activities, where documents go, the notification.
import { z } from 'zod';
import { DURATION_HINT, DURATION_PATTERN } from '../common/duration';
import { webhookSecretProblem } from '../platform/webhook-signature';
import { optionalString } from './primitives';

const durationText = z.string().regex(DURATION_PATTERN, DURATION_HINT);
const stepName = z.string().regex(/^[A-Za-z_$][\w$]{0,99}$/, 'expected an activity name');
const stepSpec = z.union([
  stepName,
  z
    .object({
      name: stepName,
      maximumAttempts: z.number().int().min(1).max(1000).optional(),
      timeout: durationText.optional(),
    })
    .strict(),
]);
const stepList = z.array(stepSpec).max(20);
/** The steps of a transaction by outcome, in a registration or POST_SIGNING_STEPS. */
export const stepPlan = z
  .object({ onSigned: stepList.optional(), onRejected: stepList.optional(), onExpired: stepList.optional() })
  .strict();

const notifySecret = optionalString.superRefine((v, ctx) => {
  const problem = v === undefined ? undefined : webhookSecretProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const stepDefaultsFor = (providers: string[]) =>
  z.partialRecord(z.enum(['default', ...providers] as [string, ...string[]]), stepPlan);

/** `stepDefaults`: the schema of POST_SIGNING_STEPS for the configured providers. */
export const stepsEnv = (stepDefaults: ReturnType<typeof stepDefaultsFor>) => ({
  /** JSON: steps per provider (or `default`) for transactions whose registration names none. */
  POST_SIGNING_STEPS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      try {
        return stepDefaults.parse(JSON.parse(v));
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `expected JSON like {"default":{"onSigned":["notifyApplication"]}}: ${(err as Error).message.split('\n')[0]}`,
        });
        return z.NEVER;
      }
    }),
  /** A module of the user's own activities, loaded by the worker (each usable as a step). */
  COUNTERSIGN_ACTIVITIES_MODULE: optionalString,
  /** Where `downloadSignedDocument` stores files; default `{COUNTERSIGN_DATA_DIR}/documents`. */
  COUNTERSIGN_DOCUMENTS_DIR: optionalString,
  COUNTERSIGN_NOTIFY_URL: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  COUNTERSIGN_NOTIFY_SECRET: notifySecret,
  /** During a rotation, notifications are signed with this one too (docs/secret-rotation.md). */
  COUNTERSIGN_NOTIFY_SECRET_PREVIOUS: notifySecret,
});
