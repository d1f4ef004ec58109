import type { NextFunction, Request, Response } from 'express';
import { secretsEqual } from '../providers/kit/secrets-equal';

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

/** A `Host` header naming this machine: `localhost`, 127.0.0.0/8 or `[::1]`, with any port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:\s]+))(?::\d{1,5})?$/i.exec(host.trim());
  if (!match) return false;
  const name = (match[1] ?? match[2]).toLowerCase();
  return name === 'localhost' || isLoopback(name);
}

/** Headers a reverse proxy adds: a request carrying one may come from anywhere. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip'];

/**
 * Why a request without a token is not a local caller, or undefined when it is one. The socket
 * address alone is not enough: behind a proxy on the same host every caller is 127.0.0.1 (the
 * proxy gives itself away by its forwarding headers), and a browser lured by DNS rebinding
 * connects to loopback but still names the attacker's host in `Host`.
 */
function notLocal(req: Request): string | undefined {
  if (!isLoopback(req.socket.remoteAddress)) return 'caller is not on this host';
  if (FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined)) return 'request came through a proxy';
  if (!isLoopbackHost(req.headers.host)) return 'Host is not a loopback name';
  return undefined;
}

/**
 * `Authorization: Bearer $COUNTERSIGN_API_TOKEN`; with no token configured, only callers on
 * this host, connecting directly and naming it, are let in.
 */
export function apiAuth(token: string | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (token === undefined) {
      const why = notLocal(req);
      if (why === undefined) return next();
      return res.status(403).json({ error: `set COUNTERSIGN_API_TOKEN to call this API from another host (${why})` });
    }
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (given && secretsEqual(given, token)) return next();
    return res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or wrong bearer token' });
  };
}

/** Whether the server binds only to loopback (where the token may be left out). */
export function isLoopbackBind(host: string): boolean {
  return host === 'localhost' || isLoopback(host);
}
