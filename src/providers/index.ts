import type { Config } from '../config';
import type { ApiDeps, FollowUp } from './module';
import type { Provider } from './provider';

export { BUILT_IN_PROVIDERS, builtInProviders, ProviderRegistry, providerRegistryFrom } from './registry';
export { defineProvider, settingsOf, type ApiDeps, type FollowUp, type ProviderModule } from './module';

/**
 * Every configured provider: its callback side built from its settings, with its follow-up
 * (status poll or re-notify) and the schema /openapi.json publishes.
 */
export function createProviders(
  config: Pick<Config, 'providerModules' | 'providers'>,
  deps: ApiDeps = {},
): Record<string, Provider> {
  const followUps = createFollowUps(config, deps);
  return Object.fromEntries(
    config.providerModules.modules.map((m) => {
      const settings = config.providers[m.name];
      const receiver = m.receiver(settings);
      return [
        m.name,
        { ...receiver, callbackSchema: receiver.callbackSchema ?? m.callbackSchema, followUp: followUps[m.name] },
      ];
    }),
  );
}

/** One follow-up per provider that has one, each with its own rate limit for this process. */
export function createFollowUps(
  config: Pick<Config, 'providerModules' | 'providers'>,
  deps: ApiDeps = {},
): Record<string, FollowUp> {
  return Object.fromEntries(
    config.providerModules.modules.flatMap((m) =>
      m.followUp ? [[m.name, m.followUp(config.providers[m.name], deps)]] : [],
    ),
  );
}
