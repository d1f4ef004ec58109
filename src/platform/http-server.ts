import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { PortTakenError } from './port-check';

export interface RequestTimeouts {
  /** Until the request's headers are in. */
  headersTimeoutMs: number;
  /** Until the whole request (body included) is in. */
  requestTimeoutMs: number;
}

/**
 * Listens and resolves once bound; a taken port rejects with PortTakenError naming
 * `variable`. Callbacks are small bodies sent by machines: with `timeouts`, a sender
 * trickling its request is cut off in seconds instead of holding a socket for Node's default
 * five minutes.
 */
export function listen(
  app: express.Express,
  port: number,
  host: string,
  timeouts?: RequestTimeouts,
  variable = 'PORT',
): Promise<Server> {
  const server = timeouts
    ? createServer(
        {
          headersTimeout: timeouts.headersTimeoutMs,
          requestTimeout: timeouts.requestTimeoutMs,
          // Node checks those timeouts this often (30 s by default, longer than the limits).
          connectionsCheckingInterval: Math.min(1000, timeouts.headersTimeoutMs),
        },
        app,
      )
    : createServer(app);
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortTakenError(variable, port, host) : err),
    );
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      resolve(server);
    });
  });
}

export const boundPort = (server: Server) => (server.address() as AddressInfo).port;

/**
 * Stops accepting connections at once, lets requests in flight finish, and then closes their
 * connections; whatever is still open after `timeoutMs` is cut.
 */
export async function closeHttpServer(server: Server, timeoutMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A keep-alive connection would otherwise stay open (and keep close() waiting) for
  // keepAliveTimeout after its last response; 1 ms closes it as soon as that response is out.
  server.keepAliveTimeout = 1;
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(cut);
}
