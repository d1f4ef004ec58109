import type { Config } from '../config';
import type { ProviderName } from '../shared/types';
import { createEvrotrustFollowUp } from './api';
import { createEvrotrust } from './evrotrust';
import type { Provider } from './provider';

/** Every provider the engine knows, built from its slice of the configuration. */
export function createProviders(config: Config): Partial<Record<ProviderName, Provider>> {
  return {
    evrotrust: { ...createEvrotrust(config.providers.evrotrust), followUp: createEvrotrustFollowUp(config.providerApi.evrotrust) },
  };
}
