// Transactions as operators browse them: the latest change first, filtered, a page at a time.
// Shared by `GET /transactions` and `countersign list`. Visibility keeps no "last updated"
// time, so a transaction's last change is its close time once closed and its start time while
// open (a status change of an open transaction does not move it up).
import type { Client } from '@temporalio/client';
import { durationMs } from '../common/duration';
import type { AttentionReason } from '../common/types';
import { SigningExternalId, SigningProvider, SigningStatus } from '../common/search-attributes';
import { signingWorkflow, registeredMailWorkflow } from '../workflows';
import { accountOfWorkflowId } from '../providers/accounts';
import { quoteQueryValue } from './visibility-query';

export interface TransactionListFilter {
  provider?: string;
  status?: string;
  /** Only transactions whose last change is at or after this time. */
  since?: Date;
  /** Only open (running) transactions. */
  open?: boolean;
  limit: number;
  /** `nextCursor` of the page before. */
  cursor?: string;
  /** Only transactions that want a person's attention for this reason (CountersignAttention). */
  attention?: AttentionReason;
}

export interface ListedTransaction {
  workflowId: string;
  type: string;
  provider?: string;
  /** A named account of the provider (docs/accounts.md), read from the workflow id; absent for the default one. */
  account?: string;
  status?: string;
  externalId?: string;
  /** The workflow's own state: running, completed, terminated, ... */
  run: string;
  startTime: string;
  closeTime?: string;
  /** What the list is sorted by: closeTime, else startTime. */
  lastChange: string;
}

export interface TransactionPage {
  transactions: ListedTransaction[];
  /** Present when more transactions follow; pass it back as `cursor`. */
  nextCursor?: string;
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

interface Position {
  t: string;
  id: string;
}

const TYPES = `WorkflowType IN ('${signingWorkflow.name}', '${registeredMailWorkflow.name}')`;

export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify(p)).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Position;
    if (typeof p.t === 'string' && typeof p.id === 'string' && !Number.isNaN(Date.parse(p.t))) return p;
  } catch {
    // answered below
  }
  throw new InvalidCursorError('cursor: not one this server gave out (pass nextCursor back unchanged)');
}

/** Newer first; on the same instant, by workflow id, so a page boundary is exact. */
const before = (a: Position, b: Position) => (a.t === b.t ? a.id > b.id : a.t > b.t);

export async function listTransactions(client: Client, filter: TransactionListFilter): Promise<TransactionPage> {
  const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  const base = [TYPES];
  if (filter.provider) base.push(`SigningProvider = ${quoteQueryValue(filter.provider)}`);
  if (filter.status) base.push(`SigningStatus = ${quoteQueryValue(filter.status)}`);
  if (filter.attention) base.push(`CountersignAttention = ${quoteQueryValue(filter.attention)}`);
  const part = (timeField: 'StartTime' | 'CloseTime', running: boolean) => {
    // A run that continued as new is one stretch of a transaction still going: the transaction
    // is listed once, by its current run.
    const q = [
      ...base,
      running ? `ExecutionStatus = 'Running'` : `ExecutionStatus != 'Running' AND ExecutionStatus != 'ContinuedAsNew'`,
    ];
    if (filter.since) q.push(`${timeField} >= ${quoteQueryValue(filter.since.toISOString())}`);
    if (after) q.push(`${timeField} <= ${quoteQueryValue(after.t)}`);
    return q.join(' AND ');
  };
  // Each part comes from the server newest first, so the first limit+1 of each suffice.
  const parts = await Promise.all([
    collect(client, part('StartTime', true), filter.limit + 1, after),
    filter.open ? Promise.resolve([]) : collect(client, part('CloseTime', false), filter.limit + 1, after),
  ]);
  const merged = parts.flat().sort((a, b) => (before(pos(a), pos(b)) ? -1 : 1));
  const transactions = merged.slice(0, filter.limit);
  const last = transactions[transactions.length - 1];
  return { transactions, ...(merged.length > filter.limit && last && { nextCursor: encodeCursor(pos(last)) }) };
}

const pos = (t: ListedTransaction): Position => ({ t: t.lastChange, id: t.workflowId });

async function collect(
  client: Client,
  query: string,
  wanted: number,
  after: Position | undefined,
): Promise<ListedTransaction[]> {
  const out: ListedTransaction[] = [];
  for await (const wf of client.workflow.list({ query, pageSize: Math.min(wanted, 100) })) {
    const startTime = wf.startTime.toISOString();
    const closeTime = wf.closeTime?.toISOString();
    const account = accountOfWorkflowId(wf.workflowId);
    const item: ListedTransaction = {
      workflowId: wf.workflowId,
      type: wf.type,
      provider: wf.typedSearchAttributes.get(SigningProvider),
      ...(account && { account }),
      status: wf.typedSearchAttributes.get(SigningStatus),
      externalId: wf.typedSearchAttributes.get(SigningExternalId),
      run: wf.status.name.toLowerCase(),
      startTime,
      ...(closeTime && { closeTime }),
      lastChange: closeTime ?? startTime,
    };
    if (after && !before(after, pos(item))) continue;
    out.push(item);
    if (out.length >= wanted) break;
  }
  return out;
}

/**
 * `since` as people write it: an ISO time, or a duration back from now (`90s`, `15m`, `1h`,
 * `2 days`). Undefined when it is neither.
 */
export function parseSince(text: string, now = Date.now()): Date | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?\s*(ms|s|m|h|d|w|seconds?|minutes?|hours?|days?|weeks?)$/i.test(trimmed)) {
    const ms = durationMs(trimmed);
    return new Date(now - ms);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed) && !Number.isNaN(Date.parse(trimmed))) return new Date(trimmed);
  return undefined;
}
