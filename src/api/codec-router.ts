// The codec server the Temporal Web UI (and `temporal --codec-endpoint`) calls to show
// encrypted payloads in clear: `POST /codec/decode` and `POST /codec/encode`, bodies
// `{"payloads":[{"metadata":{"encoding":"<base64>"},"data":"<base64>"}]}`.
//
// The credential is the codec token, as `Authorization: Bearer <token>` (CLI, proxies) or as
// a path segment, `/codec/<token>/decode`, for UIs that cannot add a header of their own (the
// embedded and compose UIs have no login to pass). Browsers are let in from the configured
// UI origins only.
import express from 'express';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Logger } from '../platform/logger';
import { describeIssues } from '../providers/provider';
import { secretsEqual } from '../providers/kit/secrets-equal';

export interface CodecRouterDeps {
  codec: PayloadCodec;
  token: string;
  /** Exact origins (`scheme://host[:port]`) allowed to call from a browser. */
  origins: readonly string[];
  logger: Logger;
  /** Largest request body; a workflow's history is decoded in a few calls of up to this size. */
  bodyLimit?: string;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
const payloadsBody = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), base64).nullish(),
        data: base64.nullish(),
      }),
    )
    .max(10_000),
});

const fromJson = (p: z.infer<typeof payloadsBody>['payloads'][number]): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

const ALLOWED_HEADERS = 'authorization, content-type, x-namespace';

export function createCodecRouter(deps: CodecRouterDeps): express.Router {
  const router = express.Router();
  const origins = new Set(deps.origins);
  const paths = ['/codec/:op', '/codec/:token/:op'];

  // CORS first: a browser on another origin gets no CORS headers at all, so it cannot read
  // an answer, and is told no before anything else happens.
  router.all(paths, (req, res, next) => {
    if (req.params.op !== 'decode' && req.params.op !== 'encode') return next('router');
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!origins.has(origin)) {
        deps.logger.warn({ route: 'codec', origin: origin.slice(0, 200) }, 'codec request refused: origin not allowed');
        return res.status(403).json({ error: 'origin not allowed; set COUNTERSIGN_CODEC_ORIGINS' });
      }
      res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' });
    }
    if (req.method === 'OPTIONS') {
      res.set({
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      // Chrome asks before a public page (a hosted UI) calls a server on a private network.
      if (req.headers['access-control-request-private-network'] === 'true')
        res.set('Access-Control-Allow-Private-Network', 'true');
      return res.status(204).end();
    }
    if (req.method !== 'POST') return res.status(405).set('Allow', 'POST, OPTIONS').json({ error: 'use POST' });
    const header = req.headers.authorization ?? '';
    const pathToken = typeof req.params.token === 'string' ? req.params.token : undefined;
    const given = pathToken ?? (/^bearer /i.test(header) ? header.slice(7).trim() : '');
    if (!given || !secretsEqual(given, deps.token)) {
      deps.logger.warn({ route: 'codec', op: req.params.op }, 'codec request refused: missing or wrong token');
      return res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or wrong codec token' });
    }
    next();
  });

  router.post(paths, express.json({ limit: deps.bodyLimit ?? '8mb' }), async (req, res) => {
    const parsed = payloadsBody.safeParse(req.body);
    if (!parsed.success)
      return res.status(400).json({ error: 'invalid request', detail: describeIssues(parsed.error.issues) });
    const payloads = parsed.data.payloads.map(fromJson);
    try {
      const out = req.params.op === 'decode' ? await deps.codec.decode(payloads) : await deps.codec.encode(payloads);
      return res.json({ payloads: out.map(toJson) });
    } catch (err) {
      // Names the key id at most (UnknownEncryptionKeyError, PayloadDecryptionError), never a value.
      deps.logger.warn({ route: 'codec', op: req.params.op, err: (err as Error).message }, 'codec request failed');
      return res.status(422).json({ error: (err as Error).message });
    }
  });

  router.use('/codec', ((err, _req, res, next) => {
    const status = (err as { status?: number }).status;
    if (status === 400 || status === 413 || status === 415)
      return res.status(status).json({ error: (err as Error).message });
    next(err);
  }) as express.ErrorRequestHandler);
  return router;
}
