// OAuth 2.0 client credentials for Signicat's API (docs/providers/signicat.md): HTTP Basic client
// authentication at the token endpoint, token cached until shortly before it expires.
import { z } from 'zod';
import { ProviderAuthError, ProviderNotConfiguredError, ProviderResponseError } from '../http/errors';
import type { ProviderHttpClient } from '../http/provider-http-client';
import { realClock, type Clock } from '../http/token-bucket';
import { parseJson } from '../provider-call';

export interface TokenSource {
  /** A valid access token, from cache when possible. */
  get(): Promise<string>;
  /** Forget the cached token (the API refused it before its time). */
  invalidate(): void;
}

const tokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive().optional() });

export interface TokenSourceOptions {
  /** A client whose base URL is the token endpoint itself. */
  http: ProviderHttpClient;
  clientId?: string;
  clientSecret?: string;
  scope: string;
  clock?: Clock;
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before Basic encoding. */
export function basicClientAuth(clientId: string, clientSecret: string): string {
  const enc = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

export function createTokenSource(opts: TokenSourceOptions): TokenSource {
  const clock = opts.clock ?? realClock;
  let cached: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    if (!opts.clientId || !opts.clientSecret) {
      throw new ProviderNotConfiguredError('SIGNICAT_CLIENT_ID and SIGNICAT_CLIENT_SECRET are required', {
        provider: 'signicat',
        operation: 'token',
      });
    }
    const res = await opts.http.request({
      operation: 'token',
      method: 'POST',
      path: '',
      headers: {
        authorization: basicClientAuth(opts.clientId, opts.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: opts.scope }).toString(),
      // RFC 6749 §5.2: a refused client is a 400 with `invalid_client` as often as a 401.
      acceptStatuses: [400],
    });
    if (res.status === 400) {
      const error = (parseJson(res.text) as { error?: unknown } | undefined)?.error;
      throw new ProviderAuthError(`token refused (${typeof error === 'string' ? error : 'HTTP 400'})`, {
        provider: 'signicat',
        operation: 'token',
        status: 400,
      });
    }
    const parsed = tokenAnswer.safeParse(parseJson(res.text));
    if (!parsed.success)
      throw new ProviderResponseError('token answer without access_token', {
        provider: 'signicat',
        operation: 'token',
      });
    const lifetimeMs = (parsed.data.expires_in ?? 300) * 1000;
    // Renew a little early so a token never expires between cache and use.
    cached = {
      token: parsed.data.access_token,
      refreshAt: clock.now() + lifetimeMs - Math.min(60_000, lifetimeMs / 2),
    };
    return cached.token;
  }

  return {
    async get() {
      if (cached && clock.now() < cached.refreshAt) return cached.token;
      // One request for everyone who needs a token at the same moment.
      inFlight ??= fetchToken().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
