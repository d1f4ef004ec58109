// Each provider's follow-up (status poll or re-notify), ready to attach to its Provider.
import type { Config } from '../../config';
import type { ProviderName } from '../../shared/types';
import { createEvrotrustFollowUp } from './evrotrust-api';
import { createPortalDeAssinaturasFollowUp } from './portal-de-assinaturas-api';
import type { ApiDeps, FollowUp } from './provider-call';
import { createSignhostFollowUp } from './signhost-api';
import { createSignicatFollowUp } from './signicat-api';

export { createEvrotrustFollowUp, createPortalDeAssinaturasFollowUp, createSignhostFollowUp, createSignicatFollowUp };
export type { ApiDeps, FollowUp };

/** One follow-up per provider, each with its own rate limit for this process. */
export function createFollowUps(config: Pick<Config, 'providerApi'>, deps: ApiDeps = {}): Record<ProviderName, FollowUp> {
  return {
    evrotrust: createEvrotrustFollowUp(config.providerApi.evrotrust, deps),
    signhost: createSignhostFollowUp(config.providerApi.signhost, deps),
    signicat: createSignicatFollowUp(config.providerApi.signicat, deps),
    'portal-de-assinaturas': createPortalDeAssinaturasFollowUp(config.providerApi['portal-de-assinaturas'], deps),
  };
}
