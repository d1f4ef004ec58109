// Attack 7: a sender trickling its upload held a connection for up to 300 s. The server as the
// processes start it (listen with the configured timeouts) must cut such a request off itself.
import { connect } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../src/app/app';
import { boundPort, closeHttpServer, listen } from '../../src/platform/http-server';
import { createLogger } from '../../src/platform/logger';
import { createMetrics } from '../../src/platform/metrics';
import { createProviders } from '../../src/providers';
import { testConfig } from '../helpers/config';

/** Sends `head`, then nothing; resolves with what the server said once it closes the socket. */
function stall(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

it('cuts off a request whose body or headers never finish', async () => {
  const config = testConfig({ HTTP_HEADERS_TIMEOUT: '1s', HTTP_REQUEST_TIMEOUT: '2s' });
  // The request never completes, so Temporal is never asked: a lazy client that goes nowhere.
  const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const app = createApp({
    config,
    client,
    providers: Object.values(createProviders(config)),
    logger: createLogger('silent'),
    metrics: createMetrics(),
  });
  const server = await listen(app, 0, '127.0.0.1', config.http);
  try {
    const port = boundPort(server);
    const body = stall(
      port,
      'POST /callbacks/evrotrust/document/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"transactionID":',
    );
    const headers = stall(
      port,
      'POST /callbacks/evrotrust/document/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl',
    );
    const [slowBody, slowHeaders] = await Promise.all([body, headers]);
    expect(slowBody).toMatch(/^HTTP\/1\.1 408/);
    expect(slowHeaders).toMatch(/^HTTP\/1\.1 408/);
  } finally {
    await closeHttpServer(server, 1000);
  }
}, 20_000);
