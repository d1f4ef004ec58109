// Plays Portal de Assinaturas (docs/providers/portal-de-assinaturas.md): document callbacks filtered by the
// configured trigger (FLOW, STEP or ACTION) with the configured headers, registered-mail
// callbacks, retries every 30 minutes for 24 hours and then an e-mail to the callback's
// admin; and a document status API at the engine's (unconfirmed) status path with `Token`.
import { secretsEqual } from '../kit/secrets-equal';
import { field, header, type SimRequest, type SimResponse } from '../kit/simulator/sim-server';
import { SimulatorBase, type SimulatorOptions } from '../kit/simulator/simulator-base';

export type Trigger = 'FLOW' | 'STEP' | 'ACTION';

export interface PortalCallbackConfig {
  url: string;
  trigger: Trigger;
  headers?: Array<{ name: string; value: string }>;
}

export interface PortalSimulatorOptions extends SimulatorOptions {
  token: string;
  callback?: PortalCallbackConfig;
  retryIntervalMs?: number;
  retryForMs?: number;
  /** Same template as PORTAL_DE_ASSINATURAS_STATUS_PATH. */
  statusPath?: string;
  /** The sample sends `documentID`, the model says `documentId` (docs/providers/portal-de-assinaturas.md). */
  idField?: 'documentID' | 'documentId';
}

export interface PortalDocument {
  documentId: string;
  /** Base key of the signed package link (`apiDownload`). */
  key: string;
  actions: Array<{ action: string; at: string }>;
}

export interface PortalRegisteredMail {
  registeredMailId: string;
  recipient: string;
  actions: string[];
}

export const DEFAULT_PORTAL_STATUS_PATH = '/document/details?key={documentId}';

/**
 * Which actions a trigger reports (docs/providers/portal-de-assinaturas.md). Rejections end the flow, so they are assumed
 * to be reported under every trigger: the provider's documentation does not say.
 */
export function triggerReports(trigger: Trigger, action: string): boolean {
  if (action === 'FLOW' || action.endsWith('-NOK')) return true;
  if (trigger === 'ACTION') return true;
  return trigger === 'STEP' && /^STEP-\d+$/.test(action);
}

let nextId = 100_000;

export class PortalDeAssinaturasSimulator extends SimulatorBase {
  readonly documents = new Map<string, PortalDocument>();
  readonly registeredMails = new Map<string, PortalRegisteredMail>();
  /** The e-mails the Portal sends to the callback's admin after 24 h of failures. */
  readonly adminNotices: Array<{ at: number; url: string }> = [];
  private readonly opts: PortalSimulatorOptions;

  constructor(opts: PortalSimulatorOptions) {
    super(opts, 30_000);
    this.opts = opts;
    const [path, query] = (opts.statusPath ?? DEFAULT_PORTAL_STATUS_PATH).split('?');
    const param = /(\w+)=\{documentId\}/.exec(query ?? '')?.[1];
    this.server.route('GET', path.replace('{documentId}', ':documentId'), (req) =>
      this.documentStatus(req, req.params.documentId ?? (param ? (req.query.get(param) ?? '') : '')),
    );
    this.control('POST', '/documents', (b) => ({
      status: 201,
      body: this.createDocument({ documentId: field(b, 'documentId', 'string') }),
    }));
    this.control('POST', '/documents/:id/actions', async (b, req) => {
      const action = field(b, 'action', 'string');
      if (!action) throw new TypeError('action is required');
      const who = { name: field(b, 'name', 'string'), identifier: field(b, 'identifier', 'string') };
      return {
        status: 200,
        body: { delivered: await this.act(req.params.id, action, who, { callback: field(b, 'callback', 'boolean') }) },
      };
    });
    this.control('POST', '/registered-mails', (b) => ({
      status: 201,
      body: this.createRegisteredMail({
        registeredMailId: field(b, 'registeredMailId', 'string'),
        recipient: field(b, 'recipient', 'string') ?? 'recipient@example.test',
      }),
    }));
    this.control('POST', '/registered-mails/:id/events', async (b, req) => {
      const action = field(b, 'action', 'string');
      if (action !== 'DELIVERED' && action !== 'NOT-DELIVERED' && action !== 'OPENED')
        throw new TypeError('action must be DELIVERED, NOT-DELIVERED or OPENED');
      const info = b.info && typeof b.info === 'object' ? (b.info as Record<string, unknown>) : {};
      return { status: 200, body: { delivered: await this.mailEvent(req.params.id, action, info) } };
    });
  }

  createDocument(init: { documentId?: string } = {}): PortalDocument {
    const documentId = init.documentId ?? String(nextId++);
    const doc: PortalDocument = { documentId, key: documentId.padStart(16, '0').slice(-16).toUpperCase(), actions: [] };
    this.documents.set(documentId, doc);
    return doc;
  }

  createRegisteredMail(init: { registeredMailId?: string; recipient: string }): PortalRegisteredMail {
    const mail = {
      registeredMailId: init.registeredMailId ?? String(nextId++),
      recipient: init.recipient,
      actions: [],
    };
    this.registeredMails.set(mail.registeredMailId, mail);
    return mail;
  }

  /** Someone acted on the document; calls back if the trigger reports it (unless lost). */
  async act(
    documentId: string,
    action: string,
    who: { name?: string; identifier?: string } = {},
    opts: { callback?: boolean } = {},
  ): Promise<boolean> {
    const doc = this.documents.get(documentId);
    if (!doc) throw new Error(`no Portal de Assinaturas document ${documentId}`);
    doc.actions.push({ action, at: new Date(this.scheduler.now()).toISOString() });
    const cb = this.opts.callback;
    if (!cb || opts.callback === false || !triggerReports(cb.trigger, action)) return false;
    const id = /^\d+$/.test(documentId) ? Number(documentId) : documentId;
    const body = {
      [this.opts.idField ?? 'documentID']: id,
      name: who.name ?? '',
      identifier: who.identifier ?? '',
      action,
      message: '',
      apiDownload: `${this.url}/document/Package?key=${doc.key}&includeOriginal=false`,
    };
    return this.send(cb, JSON.stringify(body));
  }

  /** A registered-mail certificate is ready: DELIVERED, NOT-DELIVERED or OPENED. */
  async mailEvent(
    registeredMailId: string,
    action: 'DELIVERED' | 'NOT-DELIVERED' | 'OPENED',
    info: Record<string, unknown> = {},
  ): Promise<boolean> {
    const mail = this.registeredMails.get(registeredMailId);
    if (!mail) throw new Error(`no registered mail ${registeredMailId}`);
    mail.actions.push(action);
    const cb = this.opts.callback;
    if (!cb) return false;
    const id = /^\d+$/.test(registeredMailId) ? Number(registeredMailId) : registeredMailId;
    return this.send(
      cb,
      JSON.stringify({ type: 'REGISTERED-MAIL', registeredMailId: id, recipient: mail.recipient, action, info }),
    );
  }

  private send(cb: PortalCallbackConfig, body: string): Promise<boolean> {
    const interval = this.opts.retryIntervalMs ?? 30 * 60_000;
    const retries = Math.floor((this.opts.retryForMs ?? 24 * 3_600_000) / interval);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const h of cb.headers ?? []) headers[h.name.toLowerCase()] = h.value;
    return this.deliver({
      url: cb.url,
      body,
      headers,
      delaysMs: Array.from({ length: retries }, () => interval),
      onGiveUp: () => this.adminNotices.push({ at: this.scheduler.now(), url: cb.url }),
    });
  }

  private documentStatus(req: SimRequest, documentId: string): SimResponse {
    if (!secretsEqual(header(req, 'token'), this.opts.token))
      return { status: 401, body: { message: 'Invalid token' } };
    const doc = this.documents.get(documentId);
    if (!doc) return { status: 404, body: { message: 'Document not found' } };
    // Once the flow has ended (FLOW, or a refusal) that is the document's status for good.
    const ended = doc.actions.find((a) => a.action === 'FLOW' || a.action.endsWith('-NOK'));
    const status = ended?.action ?? doc.actions.at(-1)?.action ?? 'PENDING';
    return { status: 200, body: { documentId: doc.documentId, status, actions: doc.actions } };
  }
}
