// The providers: which modules, how their API calls behave, their settings per account and
// the engine options each one gets.
import { z } from 'zod';
import { durationMs } from '../common/duration';
import type { EngineOptions } from '../common/types';
import { accountVariable, type AccountValues } from '../providers/accounts';
import { unauthenticatedProviders } from '../providers/callback-trust';
import { followUpTaskQueue } from '../providers/follow-up-defaults';
import type { ProviderCallSettings, ProviderModule } from '../providers/module';
import type { ProviderRegistry } from '../providers/registry';
import { bool, duration, optionalString } from './primitives';

export const providersEnv = {
  /** Comma-separated modules of the operator's own providers (docs/providers/writing-a-provider.md). */
  COUNTERSIGN_PROVIDER_MODULES: optionalString,
  /** Per attempt of a provider API call. */
  PROVIDER_API_TIMEOUT: duration('10s'),
  /** Attempts of one provider API call inside one activity attempt. */
  PROVIDER_API_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /**
   * Run follow-ups on one task queue per provider (`{TEMPORAL_TASK_QUEUE}-follow-up-{provider}`)
   * whose worker is rate-limited by the server to `<PROVIDER>_API_RATE_LIMIT`.
   */
  FOLLOW_UP_TASK_QUEUES: bool(true),
  /**
   * `auto`: a final status from a callback that proved nothing counts only once the provider's
   * status API confirms it, wherever that API is configured. `off`: it counts at once (the
   * state still says `finalEstablishedBy: unverified-callback`).
   */
  CONFIRM_UNVERIFIED_FINALS: z.enum(['auto', 'off']).default('auto'),
};

/** What the provider settings read: these variables, the task queue and each provider's own. */
type ProvidersEnv = z.infer<z.ZodObject<typeof providersEnv>> & { TEMPORAL_TASK_QUEUE: string };

const commonSettings = (e: ProvidersEnv) => ({
  timeoutMs: durationMs(e.PROVIDER_API_TIMEOUT),
  maxAttempts: e.PROVIDER_API_ATTEMPTS,
});

export function providerSettings(registry: ProviderRegistry, e: ProvidersEnv): Record<string, ProviderCallSettings> {
  return Object.fromEntries(registry.modules.map((m) => [m.name, m.settings(e, commonSettings(e))]));
}

export function providerAccountSettings(
  registry: ProviderRegistry,
  e: ProvidersEnv,
  values: AccountValues,
): Record<string, Record<string, ProviderCallSettings>> {
  return Object.fromEntries(
    Object.entries(values).map(([provider, byAccount]) => [
      provider,
      Object.fromEntries(
        Object.entries(byAccount).map(([account, v]) => [
          account,
          registry.get(provider)!.settings(v, commonSettings(e)),
        ]),
      ),
    ]),
  );
}

/** Named accounts nothing authenticates, as `provider@account`, with what fixes each. */
export function unauthenticatedAccounts(registry: ProviderRegistry, values: AccountValues) {
  return Object.entries(values).flatMap(([provider, byAccount]) =>
    Object.entries(byAccount).flatMap(([account, v]) =>
      unauthenticatedProviders({ modules: [registry.get(provider)!] }, v).map((u) => ({
        ...u,
        provider: `${provider}@${account}`,
      })),
    ),
  );
}

export const renameForAccount = (line: string, prefix: string, account: string) =>
  line.replace(new RegExp(`\\b${prefix}_[A-Z0-9_]+`, 'g'), (v) => accountVariable(prefix, account, v));

/**
 * Per provider: when to follow up, and on which task queue. Precedence: the provider's own
 * variable, then the engine-wide FOLLOW_UP_* one when the operator set it, then the
 * provider's default (its module's `followUpDefaults`). A transaction's own policy beats all of these.
 */
export function providerEngineOptions(
  registry: ProviderRegistry,
  e: ProvidersEnv,
  env: NodeJS.ProcessEnv,
  settings: Record<string, ProviderCallSettings>,
  accounts: Record<string, Record<string, ProviderCallSettings>>,
): NonNullable<EngineOptions['providers']> {
  const vars = e as unknown as Record<string, string | undefined>;
  const pick = (name: 'FIRST_AFTER' | 'MAX_INTERVAL', prefix: string, fallback: string) =>
    vars[`${prefix}_FOLLOW_UP_${name}`] ?? (env[`FOLLOW_UP_${name}`] ? vars[`FOLLOW_UP_${name}`]! : fallback);
  return Object.fromEntries(
    registry.modules.map((m) => [
      m.name,
      {
        followUp: {
          firstAfter: pick('FIRST_AFTER', m.envPrefix, m.followUpDefaults.firstAfter),
          maxInterval: pick('MAX_INTERVAL', m.envPrefix, m.followUpDefaults.maxInterval),
        },
        ...(e.FOLLOW_UP_TASK_QUEUES && { followUpTaskQueue: followUpTaskQueue(e.TEMPORAL_TASK_QUEUE, m.name) }),
        ...(e.CONFIRM_UNVERIFIED_FINALS === 'auto' &&
          // One flag per provider: every account must be able to confirm, or a final status
          // of one that cannot would wait for a confirmation that never comes.
          [settings[m.name], ...Object.values(accounts[m.name] ?? {})].every((s) => canConfirm(m, s)) && {
            confirmUnverifiedFinals: true,
          }),
      },
    ]),
  );
}

const canConfirm = (m: ProviderModule, settings: ProviderCallSettings) =>
  m.canConfirm ? m.canConfirm(settings) : m.followUp !== undefined;

/**
 * A value being retired with no current one beside it would be the only accepted secret while
 * nothing says so (and the callback guards, which look at the current variables, would call the
 * provider unauthenticated): a rotation always has both.
 */
export function orphanPreviousSecrets(variables: string[], e: Record<string, unknown>): string[] {
  return variables
    .filter((name) => name.endsWith('_PREVIOUS') && e[name] !== undefined)
    .map((name) => ({ name, current: name.slice(0, -'_PREVIOUS'.length) }))
    .filter(({ current }) => variables.includes(current) && e[current] === undefined)
    .map(({ name, current }) => `  ${name}: set only during a rotation, beside ${current} (the new value)`);
}
