// Builds a provider's HTTP client from its settings, with one rate limit per provider per
// process. Tests inject their own fetch, clock or randomness.
import type { ApiDeps, FollowUp, ProviderCallSettings } from './module';
import { createProviderHttpClient, type ProviderHttpClient } from './http/provider-http-client';
import { TokenBucket } from './http/token-bucket';

export type { ApiDeps, FollowUp };

export function providerClient(
  provider: string,
  settings: ProviderCallSettings,
  deps: ApiDeps = {},
  baseUrl = settings.apiUrl,
): ProviderHttpClient {
  return createProviderHttpClient({
    provider,
    baseUrl,
    timeoutMs: settings.timeoutMs,
    maxAttempts: settings.maxAttempts,
    rateLimiter: deps.rateLimiter ?? new TokenBucket({ ratePerSecond: settings.rateLimit, clock: deps.clock }),
    fetch: deps.fetch,
    clock: deps.clock,
    random: deps.random,
  });
}

/** JSON body of a provider answer, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Fills `{name}` placeholders with URL-encoded values. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? encodeURIComponent(values[name]) : whole,
  );
}
