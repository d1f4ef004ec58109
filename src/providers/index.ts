import type { Config } from '../config';
import type { ProviderName } from '../shared/types';
import { createEvrotrust } from './evrotrust';
import type { Provider } from './provider';
import { createSignicat } from './signicat';

/** Every provider the engine knows, built from its slice of the configuration. */
export function createProviders(config: Config): Partial<Record<ProviderName, Provider>> {
  return {
    evrotrust: createEvrotrust(config.providers.evrotrust),
    signicat: createSignicat(config.providers.signicat),
  };
}
