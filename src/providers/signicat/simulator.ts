// Plays Signicat Assure (docs/providers/signicat.md): an OAuth2 client-credentials token
// endpoint (HTTP Basic), Get process with a bearer token, and callbacks
// `{dossierId, processId, status}` carrying the process's `authorizationHeader` as
// `Authorization`, sent once when the process finishes and never retried. The Notify
// endpoint (path unconfirmed, same template as the engine's) sends it once more.
import { randomBytes } from 'node:crypto';
import { secretsEqual } from '../kit/secrets-equal';
import { field, header, type SimRequest, type SimResponse } from '../kit/simulator/sim-server';
import { randomId, SimulatorBase, type SimulatorOptions } from '../kit/simulator/simulator-base';

export interface SignicatSimulatorOptions extends SimulatorOptions {
  clientId: string;
  clientSecret: string;
  tokenLifetimeSeconds?: number;
  /** Same template as SIGNICAT_NOTIFY_PATH; omit the route entirely with `null`. */
  notifyPath?: string | null;
}

export interface SignicatProcess {
  dossierId: string;
  processId: string;
  status: string;
  notificationUrl?: string;
  authorizationHeader?: string;
}

const FINAL = new Set(['accepted', 'rejected', 'inconclusive', 'failed']);
export const DEFAULT_SIGNICAT_NOTIFY_PATH = '/assure/dossiers/{dossierId}/processes/{processId}/notify';

export class SignicatSimulator extends SimulatorBase {
  readonly processes = new Map<string, SignicatProcess>();
  /** Tokens issued, with their expiry on the simulator's clock. */
  readonly tokens = new Map<string, number>();
  private readonly opts: SignicatSimulatorOptions;

  constructor(opts: SignicatSimulatorOptions) {
    super(opts, 10_000);
    this.opts = opts;
    this.server.route('POST', '/auth/open/connect/token', (req) => this.token(req));
    this.server.route('GET', '/assure/dossiers/:dossierId/processes/:processId', (req) =>
      this.authed(req, () => this.getProcess(req)),
    );
    const notify = opts.notifyPath === undefined ? DEFAULT_SIGNICAT_NOTIFY_PATH : opts.notifyPath;
    if (notify) {
      this.server.route('POST', notify.replace(/\{(\w+)\}/g, ':$1'), (req) => this.authed(req, () => this.notify(req)));
    }
    this.control('POST', '/processes', (b) => ({
      status: 201,
      body: this.createProcess({
        dossierId: field(b, 'dossierId', 'string'),
        processId: field(b, 'processId', 'string'),
        notificationUrl: field(b, 'notificationUrl', 'string'),
        authorizationHeader: field(b, 'authorizationHeader', 'string'),
      }),
    }));
    this.control('POST', '/processes/:id/status', async (b, req) => {
      const status = field(b, 'status', 'string');
      if (status === undefined) throw new TypeError('status is required');
      return {
        status: 200,
        body: { delivered: await this.setStatus(req.params.id, status, { callback: field(b, 'callback', 'boolean') }) },
      };
    });
  }

  createProcess(init: Partial<Omit<SignicatProcess, 'status'>> = {}): SignicatProcess {
    const p: SignicatProcess = {
      dossierId: init.dossierId ?? randomId(),
      processId: init.processId ?? randomId(),
      status: 'pending',
      ...init,
    };
    this.processes.set(p.processId, p);
    return p;
  }

  /** The process moves on; a final status is called back once (unless lost), never retried. */
  async setStatus(processId: string, status: string, opts: { callback?: boolean } = {}): Promise<boolean> {
    const p = this.mustGet(processId);
    p.status = status;
    if (!FINAL.has(status) || opts.callback === false) return false;
    return this.callBack(p);
  }

  private async callBack(p: SignicatProcess): Promise<boolean> {
    if (!p.notificationUrl) return false;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (p.authorizationHeader) headers.authorization = p.authorizationHeader;
    const body = JSON.stringify({ dossierId: p.dossierId, processId: p.processId, status: p.status });
    return this.deliver({ url: p.notificationUrl, body, headers, delaysMs: [] });
  }

  private token(req: SimRequest): SimResponse {
    const form = new URLSearchParams(req.rawBody.toString('utf8'));
    const auth = header(req, 'authorization');
    const [id, secret] = auth.startsWith('Basic ') ? decodeBasic(auth.slice(6)) : ['', ''];
    if (!secretsEqual(id, this.opts.clientId) || !secretsEqual(secret, this.opts.clientSecret)) {
      return { status: 401, body: { error: 'invalid_client' } };
    }
    if (form.get('grant_type') !== 'client_credentials')
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    const lifetime = this.opts.tokenLifetimeSeconds ?? 600;
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, this.scheduler.now() + lifetime * 1000);
    return {
      status: 200,
      body: { access_token: token, token_type: 'Bearer', expires_in: lifetime, scope: form.get('scope') ?? '' },
    };
  }

  private authed(req: SimRequest, next: () => SimResponse | Promise<SimResponse>): SimResponse | Promise<SimResponse> {
    const auth = header(req, 'authorization');
    const expires = auth.startsWith('Bearer ') ? this.tokens.get(auth.slice(7)) : undefined;
    if (expires === undefined || expires <= this.scheduler.now())
      return { status: 401, body: { error: 'invalid_token' } };
    return next();
  }

  private getProcess(req: SimRequest): SimResponse {
    const p = this.processes.get(req.params.processId);
    if (!p || p.dossierId !== req.params.dossierId) return { status: 404, body: { message: 'Process not found' } };
    return { status: 200, body: { id: p.processId, dossierId: p.dossierId, status: p.status } };
  }

  private notify(req: SimRequest): SimResponse {
    const p = this.processes.get(req.params.processId);
    if (!p || p.dossierId !== req.params.dossierId) return { status: 404, body: { message: 'Process not found' } };
    // Answer first, then call back, as a real asynchronous notification would.
    this.later(0, async () => {
      await this.callBack(p);
    });
    return { status: 204 };
  }

  private mustGet(processId: string): SignicatProcess {
    const p = this.processes.get(processId);
    if (!p) throw new Error(`no Signicat process ${processId}`);
    return p;
  }
}

function decodeBasic(b64: string): [string, string] {
  const text = Buffer.from(b64, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return ['', ''];
  const dec = (v: string) => decodeURIComponent(v.replace(/\+/g, ' '));
  try {
    return [dec(text.slice(0, i)), dec(text.slice(i + 1))];
  } catch {
    return ['', ''];
  }
}
