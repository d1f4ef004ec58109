import type { Client } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp, type AppDeps } from '../../src/app/app';
import type { Config } from '../../src/config';
import { createLogger, type Logger } from '../../src/platform/logger';
import { createMetrics } from '../../src/platform/metrics';
import { createProviders } from '../../src/providers';

export interface RunningApp {
  url: string;
  metrics: ReturnType<typeof createMetrics>;
  close(): Promise<void>;
}

/** The real HTTP app on a random loopback port. */
export async function startApp(
  config: Config,
  client: Client,
  logger: Logger = createLogger('silent'),
  extra: Partial<AppDeps> = {},
): Promise<RunningApp> {
  const metrics = createMetrics();
  const app = createApp({
    config,
    client,
    providers: Object.values(createProviders(config)),
    logger,
    metrics,
    ...extra,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    metrics,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? safeJson(text) : undefined };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A logger that keeps every line it writes, to assert what never reaches the logs. */
export function capturingLogger(level = 'debug'): { logger: Logger; text(): string } {
  const lines: string[] = [];
  const logger = createLogger(level, { write: (line: string) => void lines.push(line) });
  return { logger, text: () => lines.join('') };
}
