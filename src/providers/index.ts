import type { Config } from '../config';
import type { ProviderName } from '../shared/types';
import { createFollowUps } from './api';
import { createEvrotrust } from './evrotrust';
import { createPortalDeAssinaturas } from './portal-de-assinaturas';
import type { Provider } from './provider';
import { createSignhost } from './signhost';
import { createSignicat } from './signicat';

/**
 * Every provider the engine knows: its callback side built from its credentials, and its
 * follow-up (status poll or re-notify) from its API settings.
 */
export function createProviders(config: Config): Partial<Record<ProviderName, Provider>> {
  const followUps = createFollowUps(config);
  return {
    evrotrust: { ...createEvrotrust(config.providers.evrotrust), followUp: followUps.evrotrust },
    signhost: { ...createSignhost(config.providers.signhost), followUp: followUps.signhost },
    signicat: { ...createSignicat(config.providers.signicat), followUp: followUps.signicat },
    'portal-de-assinaturas': { ...createPortalDeAssinaturas(config.providers['portal-de-assinaturas']), followUp: followUps['portal-de-assinaturas'] },
  };
}
