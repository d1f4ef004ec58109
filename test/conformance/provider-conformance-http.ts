// The provider conformance suite's parts that need sockets: the engine's callback pipeline in
// front of the module (no Temporal: every request here is refused before delivery), and its
// follow-up against a live API (its simulator, or a scripted server when it has none).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createLogger } from '../../src/platform/logger';
import { createMetrics } from '../../src/platform/metrics';
import { createFollowUps, createProviders } from '../../src/providers';
import { createCallbackReceiver } from '../../src/receivers/callback-receiver';
import type { TransactionContext } from '../../src/temporal/transactions';
import { testConfig } from '../helpers/config';
import { send, type RawRequest } from '../helpers/http';
import type { CallbackMessage, ProviderSpec } from '../helpers/provider-specs';
import type { ConformanceSubject } from './subjects';

export const BODY_LIMIT_BYTES = 16 * 1024;

/** A request for `spec`'s path carrying `text`, with credentials that fit it. */
function raw(spec: ProviderSpec, m: CallbackMessage, text: string, contentType?: string): RawRequest {
  const credentials = spec.credentialsFor ? spec.credentialsFor(text) : m.headers;
  return {
    path: m.path,
    headers: { ...m.headers, ...credentials, ...(contentType && { 'content-type': contentType }) },
    body: text,
  };
}

/** Declares the HTTP and follow-up conformance tests of one provider module. */
export function providerConformanceOverHttp(subject: ConformanceSubject): void {
  const name = subject.module.name;
  const config = testConfig({ ...subject.env, BODY_LIMIT: '16kb' });
  const provider = createProviders(config)[name];
  let server: Server;
  let url: string;
  /** Requests that got past every check to delivery: none may. */
  let delivered = 0;

  beforeAll(async () => {
    const transactions = {
      get client() {
        delivered++;
        throw new Error('a refused callback reached delivery');
      },
    } as unknown as TransactionContext;
    const app = express();
    app.use(
      createCallbackReceiver({
        providers: [provider],
        transactions,
        logger: createLogger('silent'),
        metrics: createMetrics(),
        bodyLimit: config.http.bodyLimit,
      }),
    );
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    expect(delivered).toBe(0);
  });

  describe.each(subject.specs)('$kind callbacks over HTTP', (spec) => {
    const m = spec.valid('tx-http');
    const text = JSON.stringify(m.body);

    it('a body over the limit gets its documented answer', async () => {
      const big = JSON.stringify({ ...m.body, padding: 'x'.repeat(BODY_LIMIT_BYTES) });
      const res = await send(url, raw(spec, m, big, 'application/json'));
      expect(res.status).toBe(spec.answer('too-large'));
    });

    if (provider.anyContentType) {
      it('reads any content type (its postbacks prove themselves); a body that is not JSON gets its documented answer', async () => {
        const res = await send(url, raw(spec, m, `${text} x`, 'text/plain'));
        expect(res.status).toBe(spec.answer('malformed-json'));
      });
    } else {
      it('a content type other than JSON gets its documented answer', async () => {
        for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
          const res = await send(url, raw(spec, m, text, type));
          expect({ type, status: res.status }).toEqual({ type, status: spec.answer('unsupported-media-type') });
        }
      });
    }

    it('a body that is not JSON gets its documented answer, even with the right credentials', async () => {
      for (const broken of [text.slice(0, -1), `${text} x`]) {
        const res = await send(url, raw(spec, m, broken, 'application/json'));
        expect(res.status).toBe(spec.answer('malformed-json'));
      }
    });

    if (spec.authenticated) {
      it('a callback without its credential gets its documented answer, and learns nothing from it', async () => {
        const headers = Object.fromEntries(
          Object.entries(raw(spec, m, text, 'application/json').headers).filter(
            ([k]) => !spec.credentialHeaders.includes(k),
          ),
        );
        const res = await send(url, { path: m.path, headers, body: text });
        expect(res.status).toBe(spec.answer('unauthorized'));
        expect(res.text).toBe('');
      });
    }
  });

  if (subject.module.followUp) {
    it("follow-up: maps its API's answer to events", async () => {
      if (!subject.followUpScenario) throw new Error(`${name} declares a follow-up but its subject has no scenario`);
      const scenario = await subject.followUpScenario();
      try {
        const followUp = createFollowUps(testConfig({ ...subject.env, ...scenario.env }))[name];
        const result = await followUp(scenario.request);
        expect(result.events).toContainEqual(expect.objectContaining({ source: 'poll', status: scenario.status }));
        expect(typeof result.outcome).toBe('string');
      } finally {
        await scenario.close();
      }
    });
  } else {
    it.skip(`follow-up: not declared by ${name}, skipped`, () => undefined);
  }
}
