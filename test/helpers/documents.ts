// The built-in providers' document downloads, from just the settings a download needs.
import type { DocumentFetcher } from '../../src/providers/module';
import { portalDeAssinaturas, type PortalSettings } from '../../src/providers/portal-de-assinaturas';
import { signhost, type SignhostSettings } from '../../src/providers/signhost';

export function documentFetchers(settings: {
  portal?: Partial<PortalSettings> & { apiUrl: string };
  signhost?: Partial<SignhostSettings> & { apiUrl: string };
}): Record<string, DocumentFetcher> {
  return {
    ...(settings.portal && {
      'portal-de-assinaturas': portalDeAssinaturas.documents!(settings.portal as PortalSettings),
    }),
    ...(settings.signhost && { signhost: signhost.documents!(settings.signhost as SignhostSettings) }),
  };
}
