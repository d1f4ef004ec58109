import type { Config } from '../config';
import type { ProviderName } from '../shared/types';
import { createEvrotrust } from './evrotrust';
import { createPortalDeAssinaturas } from './portal-de-assinaturas';
import type { Provider } from './provider';
import { createSignhost } from './signhost';
import { createSignicat } from './signicat';

/** Every provider the engine knows, built from its slice of the configuration. */
export function createProviders(config: Config): Partial<Record<ProviderName, Provider>> {
  return {
    evrotrust: createEvrotrust(config.providers.evrotrust),
    signhost: createSignhost(config.providers.signhost),
    'portal-de-assinaturas': createPortalDeAssinaturas(config.providers['portal-de-assinaturas']),
    signicat: createSignicat(config.providers.signicat),
  };
}
