// Which providers' callbacks can prove their sender with the configuration at hand. A provider
// with neither a credential nor a sender allowlist accepts forged statuses from anyone who
// knows an id, so production refuses to start with one unless the operator says so on purpose.
import type { ProviderRegistry } from './registry';
import { accountVariable } from './accounts';

export const allowUnauthenticatedVariable = (envPrefix: string) => `${envPrefix}_ALLOW_UNAUTHENTICATED`;

export interface UnauthenticatedProvider {
  provider: string;
  /** Set on purpose with `<PROVIDER>_ALLOW_UNAUTHENTICATED=true`. */
  allowed: boolean;
}

/** Providers none of whose guards (`callbackGuards`) is set, in the registry's order. */
export function unauthenticatedProviders(
  registry: Pick<ProviderRegistry, 'modules'>,
  env: Record<string, unknown>,
): UnauthenticatedProvider[] {
  const isSet = (name: string) => {
    const v = env[name];
    return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== '';
  };
  return registry.modules
    .filter((m) => !m.callbackGuards.some(isSet))
    .map((m) => ({ provider: m.name, allowed: env[allowUnauthenticatedVariable(m.envPrefix)] === true }));
}

/** The startup refusal: every provider that blocks it, and what fixes each. */
export function unauthenticatedMessage(registry: ProviderRegistry, blocking: string[]): string {
  const lines = blocking.map((name) => {
    // `provider@account`: a named account, configured by its own variables.
    const [provider, account] = name.split('@');
    const m = registry.get(provider)!;
    const own = (v: string) => (account ? accountVariable(m.envPrefix, account, v) : v);
    return `  ${name}: callbacks cannot be authenticated; set ${m.callbackGuards.map(own).join(' or ')}, or ${own(allowUnauthenticatedVariable(m.envPrefix))}=true to accept that on purpose`;
  });
  return `Invalid configuration (NODE_ENV=production):\n${lines.join('\n')}`;
}
