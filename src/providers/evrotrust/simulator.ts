// Plays Evrotrust (docs/providers/evrotrust.md): the vendor status API with its HMAC
// `Authorization` header, and callbacks with no credentials to `<urlCallback>/document/ready`
// (or `/document/offline/ready`), 30 s timeout, 3 attempts in all, only a 200 counts.
import { createHash, createHmac } from 'node:crypto';
import { secretsEqual } from '../kit/secrets-equal';
import { field, header, jsonBody, type SimRequest, type SimResponse } from '../kit/simulator/sim-server';
import { randomId, SimulatorBase, type SimulatorOptions } from '../kit/simulator/simulator-base';

export interface EvrotrustSimulatorOptions extends SimulatorOptions {
  apiKey: string;
  vendorNumber: string;
  /**
   * Waits between the 3 attempts. Evrotrust's documentation gives the count, not the spacing: one and five
   * minutes are assumptions.
   */
  retryDelaysMs?: number[];
}

export interface EvrotrustTransaction {
  transactionID: string;
  status: number;
  rejectReason?: string;
  urlCallback?: string;
  /** OTP signing: Evrotrust appends `/document/offline/ready` instead of `/document/ready`. */
  offline: boolean;
}

export class EvrotrustSimulator extends SimulatorBase {
  readonly transactions = new Map<string, EvrotrustTransaction>();
  private readonly opts: EvrotrustSimulatorOptions;

  constructor(opts: EvrotrustSimulatorOptions) {
    super(opts, 30_000);
    this.opts = opts;
    this.server.route('POST', '/document/status', (req) => this.documentStatus(req));
    this.control('POST', '/transactions', (b) => ({
      status: 201,
      body: this.createTransaction({
        transactionID: field(b, 'transactionID', 'string'),
        urlCallback: field(b, 'urlCallback', 'string'),
        offline: field(b, 'offline', 'boolean') ?? false,
      }),
    }));
    this.control('POST', '/transactions/:id/status', async (b, req) => {
      const status = field(b, 'status', 'number');
      if (status === undefined) throw new TypeError('status is required');
      const delivered = await this.setStatus(req.params.id, status, {
        rejectReason: field(b, 'rejectReason', 'string'),
        callback: field(b, 'callback', 'boolean'),
      });
      return { status: 200, body: { delivered } };
    });
  }

  /** A document sent for signing; status 1 (pending). */
  createTransaction(init: Partial<Omit<EvrotrustTransaction, 'status'>> = {}): EvrotrustTransaction {
    const tx: EvrotrustTransaction = {
      transactionID: init.transactionID ?? randomId(),
      status: 1,
      offline: false,
      ...init,
    };
    this.transactions.set(tx.transactionID, tx);
    return tx;
  }

  /**
   * The signer acted: the status changes and, unless `callback` is false (a lost callback),
   * Evrotrust calls back. Resolves after the first attempt; retries follow on the clock.
   */
  async setStatus(
    transactionID: string,
    status: number,
    opts: { rejectReason?: string; callback?: boolean } = {},
  ): Promise<boolean> {
    const tx = this.transactions.get(transactionID);
    if (!tx) throw new Error(`no Evrotrust transaction ${transactionID}`);
    tx.status = status;
    tx.rejectReason = status === 3 ? opts.rejectReason : undefined;
    if (!tx.urlCallback || opts.callback === false) return false;
    const body = JSON.stringify({
      transactionID,
      status,
      ...(tx.rejectReason !== undefined && { rejectReason: tx.rejectReason }),
    });
    return this.deliver({
      url: `${tx.urlCallback.replace(/\/+$/, '')}${tx.offline ? '/document/offline/ready' : '/document/ready'}`,
      body,
      headers: { 'content-type': 'application/json' },
      delaysMs: this.opts.retryDelaysMs ?? [60_000, 300_000],
      isSuccess: (s) => s === 200,
    });
  }

  private documentStatus(req: SimRequest): SimResponse {
    const expected = createHmac('sha256', createHash('sha256').update(this.opts.apiKey, 'utf8').digest())
      .update(req.rawBody)
      .digest('hex');
    const given = header(req, 'authorization');
    if (!secretsEqual(given, expected)) return { status: 401, body: { message: 'Unauthorized' } };
    const body = jsonBody(req) as { vendorNumber?: unknown; transactionID?: unknown } | undefined;
    if (!body || typeof body.transactionID !== 'string' || body.vendorNumber !== this.opts.vendorNumber) {
      return { status: 400, body: { message: 'Invalid data' } };
    }
    const tx = this.transactions.get(body.transactionID);
    // Evrotrust's own code for "document not found" (docs/providers/evrotrust.md).
    if (!tx) return { status: 443, body: { message: 'Document not found' } };
    return { status: 200, body: { status: tx.status, isProcessing: 0 } };
  }
}
