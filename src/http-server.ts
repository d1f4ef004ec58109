import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { PortTakenError } from './port-check';

/** Listens and resolves once bound; a taken port rejects with PortTakenError naming `variable`. */
export function listen(app: express.Express, port: number, host: string, variable = 'PORT'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => {
      if (!err) return resolve(server);
      reject((err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? new PortTakenError(variable, port, host) : err);
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
