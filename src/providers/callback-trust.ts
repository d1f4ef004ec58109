// Which providers' callbacks can prove their sender with the configuration at hand. A provider
// with neither a credential nor a sender allowlist accepts forged statuses from anyone who
// knows an id, so production refuses to start with one unless the operator says so on purpose.
import { PROVIDERS, type ProviderName } from '../shared/types';

export const PROVIDER_ENV_PREFIX: Record<ProviderName, string> = {
  evrotrust: 'EVROTRUST',
  signhost: 'SIGNHOST',
  signicat: 'SIGNICAT',
  'portal-de-assinaturas': 'PORTAL_DE_ASSINATURAS',
};

/** Per provider, the variables any one of which lets its callbacks be authenticated. */
export const CALLBACK_GUARDS: Record<ProviderName, readonly string[]> = {
  // Evrotrust callbacks carry no credential at all: only the sender address can be checked.
  evrotrust: ['EVROTRUST_ALLOWED_IPS'],
  signhost: ['SIGNHOST_SHARED_SECRET', 'SIGNHOST_POSTBACK_AUTHORIZATION', 'SIGNHOST_ALLOWED_IPS'],
  signicat: ['SIGNICAT_CALLBACK_AUTHORIZATION', 'SIGNICAT_ALLOWED_IPS'],
  'portal-de-assinaturas': ['PORTAL_DE_ASSINATURAS_CALLBACK_HEADER', 'PORTAL_DE_ASSINATURAS_ALLOWED_IPS'],
};

export const allowUnauthenticatedVariable = (p: ProviderName) => `${PROVIDER_ENV_PREFIX[p]}_ALLOW_UNAUTHENTICATED`;

export interface UnauthenticatedProvider {
  provider: ProviderName;
  /** Set on purpose with `<PROVIDER>_ALLOW_UNAUTHENTICATED=true`. */
  allowed: boolean;
}

/** Providers none of whose guards is set, in PROVIDERS order. */
export function unauthenticatedProviders(env: Record<string, unknown>): UnauthenticatedProvider[] {
  const isSet = (name: string) => {
    const v = env[name];
    return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== '';
  };
  return PROVIDERS.filter((p) => !CALLBACK_GUARDS[p].some(isSet)).map((p) => ({ provider: p, allowed: env[allowUnauthenticatedVariable(p)] === true }));
}

/** The startup refusal: every provider that blocks it, and what fixes each. */
export function unauthenticatedMessage(blocking: ProviderName[]): string {
  const lines = blocking.map(
    (p) => `  ${p}: callbacks cannot be authenticated; set ${CALLBACK_GUARDS[p].join(' or ')}, or ${allowUnauthenticatedVariable(p)}=true to accept that on purpose`,
  );
  return `Invalid configuration (NODE_ENV=production):\n${lines.join('\n')}`;
}
