// A small HTTP server for provider simulators: routes with `:params`, raw bodies (so auth
// schemes over the exact bytes can be checked), a log of API requests, and fault injection
// (errors, Retry-After, slow answers, held answers) so clients can be tested against it.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  params: Record<string, string>;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON, strings as they are. */
  body?: unknown;
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export interface Fault {
  /** Answer this status instead of the real one (omit to only delay). */
  status?: number;
  retryAfter?: string;
  /** Wait this long before answering (exercises client timeouts). */
  delayMs?: number;
  /** How many requests it applies to; default 1. */
  times?: number;
  /** Only requests whose path matches. */
  path?: RegExp;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  at: number;
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: SimHandler;
}

/** One header's value ('' when absent; repeated headers joined). */
export function header(req: SimRequest, name: string): string {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

/** Reads an optional field of a control request, checking its type. */
export function field<T extends 'string' | 'number' | 'boolean'>(
  body: Record<string, unknown>,
  name: string,
  type: T,
): (T extends 'string' ? string : T extends 'number' ? number : boolean) | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (typeof v !== type) throw new TypeError(`${name} must be a ${type}`);
  return v as never;
}

export function jsonBody(req: SimRequest): unknown {
  try {
    return JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
}

export class SimServer {
  readonly requests: LoggedRequest[] = [];
  private readonly routes: Route[] = [];
  private faults: Array<Required<Pick<Fault, 'times'>> & Fault> = [];
  private holds: Array<{ path: RegExp; reached: () => void; released: Promise<void> }> = [];
  private server?: Server;
  private base?: string;

  constructor(private readonly clock: () => number = Date.now) {}

  route(method: string, path: string, handler: SimHandler): this {
    const names: string[] = [];
    const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  injectFault(fault: Fault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /**
   * Holds the next request whose path matches until `release()`; `reached` resolves when it
   * arrives. Lets a test act while a client's request is in flight.
   */
  hold(path: RegExp): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const released = new Promise<void>((r) => (release = r));
    this.holds.push({ path, reached, released });
    return { reached: reachedP, release };
  }

  get url(): string {
    if (!this.base) throw new Error('simulator not started');
    return this.base;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.dispatch(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks)).then((answer) => {
          if (res.destroyed) return;
          const isText = typeof answer.body === 'string';
          const payload =
            answer.body === undefined ? '' : isText ? (answer.body as string) : JSON.stringify(answer.body);
          res.writeHead(answer.status, {
            ...(answer.body !== undefined && { 'content-type': isText ? 'text/plain' : 'application/json' }),
            ...answer.headers,
          });
          res.end(payload);
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const { port: actual } = this.server.address() as AddressInfo;
    this.base = `http://${host}:${actual}`;
    return this.base;
  }

  async close(): Promise<void> {
    for (const h of this.holds) h.reached();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async dispatch(
    method: string,
    rawUrl: string,
    headers: IncomingHttpHeaders,
    rawBody: Buffer,
  ): Promise<SimResponse> {
    const url = new URL(rawUrl, 'http://simulator');
    const answer = await this.answer(method, url, headers, rawBody);
    this.requests.push({ method, path: url.pathname + url.search, status: answer.status, at: this.clock() });
    return answer;
  }

  private async answer(method: string, url: URL, headers: IncomingHttpHeaders, rawBody: Buffer): Promise<SimResponse> {
    const hold = this.holds.find((h) => h.path.test(url.pathname));
    if (hold) {
      this.holds = this.holds.filter((h) => h !== hold);
      hold.reached();
      await hold.released;
    }
    const fault = this.faults.find((f) => !f.path || f.path.test(url.pathname));
    if (fault) {
      fault.times--;
      if (fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.status)
        return {
          status: fault.status,
          headers: fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
          body: { error: 'injected fault' },
        };
    }
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      try {
        return await route.handler({ method, path: url.pathname, query: url.searchParams, headers, rawBody, params });
      } catch {
        return { status: 500, body: { error: 'simulator error' } };
      }
    }
    return { status: 404, body: { error: 'no such endpoint' } };
  }
}
