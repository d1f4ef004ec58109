// Plays Signhost (docs/providers/signhost.md/004, docs/providers/signhost.md): GET /transaction/{id} with the Application
// and Authorization headers (410 Gone with the partial transaction once cleaned up), and
// postbacks: the whole transaction plus `Checksum` (also in a header), the optional security
// header, one queue per account sent in order, a failing head blocking the queue and retried
// at increasing random intervals, dropped after a configurable 48-72 hours.
import { createHash } from 'node:crypto';
import { secretsEqual } from '../kit/secrets-equal';
import { field, header, type SimRequest, type SimResponse } from '../kit/simulator/sim-server';
import { randomId, SimulatorBase, type SimulatorOptions } from '../kit/simulator/simulator-base';

export interface SignhostSimulatorOptions extends SimulatorOptions {
  appKey: string;
  apiKey: string;
  sharedSecret: string;
  /** The security header value entered in the portal, sent as `Authorization`. */
  postbackAuthorization?: string;
  /** The account's postback URL (portal-registered). */
  postbackUrl?: string;
  /** First retry wait; each next one doubles, plus up to 50% random. */
  firstRetryMs?: number;
  maxRetryMs?: number;
  /** 48 h in the current docs (docs/providers/signhost.md); 72 h and "about a week" (docs/providers/signhost.md) also seen. */
  dropAfterMs?: number;
  /** Signhost's documentation deletes the whole queue; docs/providers/signhost.md marks the request failed and moves on. */
  dropMode?: 'queue' | 'request';
  random?: () => number;
}

export interface SignhostTransaction {
  Id: string;
  Status: number;
  Reference?: string;
  account: string;
  /** Cleaned up by Signhost: GET answers 410 with what is left. */
  gone: boolean;
  CreatedDateTime: string;
  ModifiedDateTime: string;
  /** Each signer with their whole activity history, as every postback repeats it. */
  Signers: SignhostSigner[];
}

export interface SignhostSigner {
  Id: string;
  RejectReason: string | null;
  Activities: Array<{ Id: string; Code: number; Activity: string; CreatedDateTime: string }>;
}

/** Names Signhost gives the activity codes a simulated signer goes through. */
const ACTIVITY_NAMES: Record<number, string> = {
  101: 'InvitationSent',
  103: 'Opened',
  104: 'ReminderSent',
  105: 'DocumentOpened',
  202: 'Rejected',
  203: 'Signed',
  301: 'SignedDocumentSent',
};

interface Postback {
  body: string;
  checksum: string;
  createdAt: number;
  attempts: number;
  url: string;
}

export function signhostChecksum(id: string, status: number, secret: string): string {
  return createHash('sha1').update(`${id}||${status}|${secret}`, 'utf8').digest('hex');
}

export class SignhostSimulator extends SimulatorBase {
  readonly transactions = new Map<string, SignhostTransaction>();
  /** Postbacks given up on, for tests and operators. */
  readonly dropped: Array<{ account: string; count: number; at: number }> = [];
  private readonly queues = new Map<string, Postback[]>();
  private readonly busy = new Set<string>();
  /** Accounts whose head failed and waits for its retry: nothing is sent meanwhile. */
  private readonly waiting = new Set<string>();
  private readonly opts: SignhostSimulatorOptions;

  constructor(opts: SignhostSimulatorOptions) {
    super(opts, 30_000);
    this.opts = opts;
    this.server.route('GET', '/transaction/:id', (req) => this.getTransaction(req));
    this.control('POST', '/transactions', (b) => ({
      status: 201,
      body: this.createTransaction({
        Id: field(b, 'Id', 'string'),
        Reference: field(b, 'Reference', 'string'),
        account: field(b, 'account', 'string'),
      }),
    }));
    this.control('POST', '/transactions/:id/status', async (b, req) => {
      const status = field(b, 'status', 'number');
      if (status === undefined) throw new TypeError('status is required');
      await this.setStatus(req.params.id, status, { postback: field(b, 'postback', 'boolean') });
      return { status: 200, body: { queued: this.queued(this.mustGet(req.params.id).account) } };
    });
    this.control('POST', '/transactions/:id/activities', async (b, req) => {
      const code = field(b, 'code', 'number');
      if (code === undefined) throw new TypeError('code is required');
      await this.signerActivity(req.params.id, code, {
        signerId: field(b, 'signerId', 'string'),
        rejectReason: field(b, 'rejectReason', 'string'),
        postback: field(b, 'postback', 'boolean'),
      });
      return { status: 200, body: { queued: this.queued(this.mustGet(req.params.id).account) } };
    });
    this.control('POST', '/transactions/:id/gone', (_b, req) => {
      this.markGone(req.params.id);
      return { status: 204 };
    });
  }

  createTransaction(
    init: { Id?: string; Reference?: string; account?: string; status?: number } = {},
  ): SignhostTransaction {
    const now = new Date(this.scheduler.now()).toISOString();
    const tx: SignhostTransaction = {
      Id: init.Id ?? randomId(),
      Status: init.status ?? 10,
      Reference: init.Reference,
      account: init.account ?? 'default',
      gone: false,
      CreatedDateTime: now,
      ModifiedDateTime: now,
      Signers: [],
    };
    this.transactions.set(tx.Id, tx);
    return tx;
  }

  /** Status change: queues a postback (unless lost) and pumps the account's queue. */
  async setStatus(id: string, status: number, opts: { postback?: boolean } = {}): Promise<void> {
    const tx = this.mustGet(id);
    tx.Status = status;
    tx.ModifiedDateTime = new Date(this.scheduler.now()).toISOString();
    if (opts.postback === false) return;
    await this.postback(tx);
  }

  /**
   * A signer did something (101 invitation sent, 103 opened, 203 signed, 202 rejected, ...):
   * Signhost posts the whole transaction again, its status unchanged, with the new activity.
   */
  async signerActivity(
    id: string,
    code: number,
    opts: { signerId?: string; rejectReason?: string; postback?: boolean } = {},
  ): Promise<void> {
    const tx = this.mustGet(id);
    const signerId = opts.signerId ?? 'signer-1';
    let signer = tx.Signers.find((s) => s.Id === signerId);
    if (!signer) tx.Signers.push((signer = { Id: signerId, RejectReason: null, Activities: [] }));
    const now = new Date(this.scheduler.now()).toISOString();
    signer.Activities.push({
      Id: randomId(),
      Code: code,
      Activity: ACTIVITY_NAMES[code] ?? String(code),
      CreatedDateTime: now,
    });
    if (code === 202) signer.RejectReason = opts.rejectReason ?? null;
    tx.ModifiedDateTime = now;
    if (opts.postback === false) return;
    await this.postback(tx);
  }

  private async postback(tx: SignhostTransaction): Promise<void> {
    if (!this.opts.postbackUrl) return;
    const checksum = signhostChecksum(tx.Id, tx.Status, this.opts.sharedSecret);
    const body = JSON.stringify({ ...this.transactionJson(tx), Checksum: checksum });
    this.queue(tx.account).push({
      body,
      checksum,
      createdAt: this.scheduler.now(),
      attempts: 0,
      url: this.opts.postbackUrl,
    });
    await this.pump(tx.account);
  }

  /** Signhost cleaned the transaction up: GET now answers 410 Gone. */
  markGone(id: string): void {
    this.mustGet(id).gone = true;
  }

  /** Postbacks waiting in an account's queue, head first. */
  queued(account = 'default'): number {
    return this.queue(account).length;
  }

  /** Registering a postback URL in the portal sends an empty POST to test it. */
  async sendTestPostback(): Promise<boolean> {
    if (!this.opts.postbackUrl) return false;
    return this.attempt(this.opts.postbackUrl, '', {}, 1);
  }

  private queue(account: string): Postback[] {
    let q = this.queues.get(account);
    if (!q) this.queues.set(account, (q = []));
    return q;
  }

  /** Sends the head of the queue; on success the next one, in order; on failure waits. */
  private async pump(account: string): Promise<void> {
    if (this.busy.has(account) || this.waiting.has(account)) return;
    this.busy.add(account);
    try {
      const q = this.queue(account);
      while (q.length) {
        const head = q[0];
        head.attempts++;
        const headers: Record<string, string> = { 'content-type': 'application/json', checksum: head.checksum };
        if (this.opts.postbackAuthorization) headers.authorization = this.opts.postbackAuthorization;
        if (await this.attempt(head.url, head.body, headers, head.attempts)) {
          q.shift();
          continue;
        }
        const now = this.scheduler.now();
        if (now - head.createdAt >= (this.opts.dropAfterMs ?? 48 * 3_600_000)) {
          const count = this.opts.dropMode === 'request' ? 1 : q.length;
          q.splice(0, count);
          this.dropped.push({ account, count, at: now });
          continue;
        }
        // The head blocks everything behind it until it gets a 2xx.
        this.waiting.add(account);
        this.later(this.retryDelay(head.attempts), () => this.resume(account));
        return;
      }
    } finally {
      this.busy.delete(account);
    }
  }

  private async resume(account: string): Promise<void> {
    this.waiting.delete(account);
    await this.pump(account);
  }

  private retryDelay(failures: number): number {
    const base = Math.min(
      this.opts.maxRetryMs ?? 4 * 3_600_000,
      (this.opts.firstRetryMs ?? 60_000) * 2 ** (failures - 1),
    );
    return Math.round(base * (1 + 0.5 * (this.opts.random ?? Math.random)()));
  }

  private transactionJson(tx: SignhostTransaction) {
    return {
      Id: tx.Id,
      Status: tx.Status,
      Files: {},
      Seal: false,
      Signers: tx.Signers,
      Receivers: [],
      Reference: tx.Reference ?? null,
      PostbackUrl: null,
      SignRequestMode: 2,
      DaysToExpire: 30,
      SendEmailNotifications: false,
      Language: 'en-US',
      CreatedDateTime: tx.CreatedDateTime,
      ModifiedDateTime: tx.ModifiedDateTime,
      CanceledDateTime: tx.Status === 60 ? tx.ModifiedDateTime : null,
      Context: null,
    };
  }

  private getTransaction(req: SimRequest): SimResponse {
    const app = header(req, 'application');
    const auth = header(req, 'authorization');
    if (!secretsEqual(app, `APPKey ${this.opts.appKey}`) || !secretsEqual(auth, `APIKey ${this.opts.apiKey}`)) {
      return { status: 401, body: { Message: 'Unauthorized' } };
    }
    const tx = this.transactions.get(req.params.id);
    if (!tx) return { status: 404, body: { Message: 'Transaction not found' } };
    if (tx.gone) return { status: 410, body: { Id: tx.Id, Status: tx.Status, CreatedDateTime: tx.CreatedDateTime } };
    return { status: 200, body: this.transactionJson(tx) };
  }

  private mustGet(id: string): SignhostTransaction {
    const tx = this.transactions.get(id);
    if (!tx) throw new Error(`no Signhost transaction ${id}`);
    return tx;
  }
}
