import type { ApiDeps, FollowUp, ProviderCallSettings } from './module';
import type { ProviderRegistry } from './registry';
import type { Provider } from './provider';
import type { FollowUpRequest } from '../common/types';
import { accountOfWorkflowId, perAccount } from './accounts';
import { ProviderNotConfiguredError } from './http/errors';

export { BUILT_IN_PROVIDERS, builtInProviders, ProviderRegistry, providerRegistryFrom } from './registry';
export { defineProvider, settingsOf, type ApiDeps, type FollowUp, type ProviderModule } from './module';

/** What building the providers reads from the configuration (src/config/ fills it). */
export interface ConfiguredProviders {
  providerModules: ProviderRegistry;
  /** Each provider's settings by name: its default account. */
  providers: Record<string, ProviderCallSettings>;
  /** Named accounts' settings by provider and account. */
  accounts: Record<string, Record<string, ProviderCallSettings>>;
}

/**
 * Every configured provider: its callback side built from its settings, with its follow-up
 * (status poll or re-notify) and the schema /openapi.json publishes.
 */
export function createProviders(
  config: Pick<ConfiguredProviders, 'providerModules' | 'providers'>,
  deps: ApiDeps = {},
): Record<string, Provider> {
  const followUps = createFollowUps(config, deps);
  return Object.fromEntries(
    config.providerModules.modules.map((m) => {
      const settings = config.providers[m.name];
      const receiver = m.receiver(settings);
      return [m.name, { ...receiver, followUp: followUps[m.name] }];
    }),
  );
}

/**
 * One follow-up per provider that has one, each with its own rate limit for this process; a
 * provider with named accounts asks with the credentials of the transaction's account.
 */
export function createFollowUps(
  config: Pick<ConfiguredProviders, 'providerModules' | 'providers'> & Partial<Pick<ConfiguredProviders, 'accounts'>>,
  deps: ApiDeps = {},
): Record<string, FollowUp> {
  return Object.fromEntries(
    config.providerModules.modules.flatMap((m) => {
      if (!m.followUp) return [];
      const byAccount: Record<string, FollowUp> = { default: m.followUp(config.providers[m.name], deps) };
      for (const [account, settings] of Object.entries(config.accounts?.[m.name] ?? {}))
        byAccount[account] = m.followUp(settings, deps);
      const followUp = perAccount<[FollowUpRequest], ReturnType<FollowUp>>(
        byAccount,
        (req) => req.ref.account ?? accountOfWorkflowId(req.workflowId),
        (account) =>
          Promise.reject(
            new ProviderNotConfiguredError(`account ${account} is not configured (docs/accounts.md)`, {
              provider: m.name,
              operation: 'follow-up',
            }),
          ),
      );
      return [[m.name, followUp]];
    }),
  );
}

/** The receivers of every named account, each served under `/callbacks/{provider}/{account}`. */
export function createAccountReceivers(config: Pick<ConfiguredProviders, 'providerModules' | 'accounts'>): Provider[] {
  return config.providerModules.modules.flatMap((m) =>
    Object.entries(config.accounts[m.name] ?? {}).map(([account, settings]) => {
      return { ...m.receiver(settings), account };
    }),
  );
}
