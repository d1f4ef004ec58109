// A taken port named with the variable that moves it, instead of a bare EADDRINUSE.
import { createServer } from 'node:net';

export class PortTakenError extends Error {
  override name = 'PortTakenError';
  constructor(
    readonly variable: string,
    readonly port: number,
    host: string,
  ) {
    super(
      `${variable}: port ${port} on ${host} is already in use (another Countersign, or another program). Stop it, or set ${variable} to a free port, e.g. ${variable}=${port + 100}.`,
    );
  }
}

/** Resolves when `port` can be bound on `host`; rejects with PortTakenError naming `variable` otherwise. */
export function assertPortFree(port: number, host: string, variable: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? new PortTakenError(variable, port, host) : err),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
