import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** Constant-time comparison that does not leak the secret's length either. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * `Authorization: Bearer $COUNTERSIGN_API_TOKEN`; with no token configured, only loopback
 * callers (the socket's own address, never a forwarded header) are let in.
 */
export function apiAuth(token: string | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (token === undefined) {
      if (isLoopback(req.socket.remoteAddress)) return next();
      return res.status(403).json({ error: 'set COUNTERSIGN_API_TOKEN to call this API from another host' });
    }
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (given && secretsEqual(given, token)) return next();
    return res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or wrong bearer token' });
  };
}
