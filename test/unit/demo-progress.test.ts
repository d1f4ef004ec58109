import { path, ProgressTable, via, type Row } from '../../src/demo/progress';
import { reached, type Expectation } from '../../src/demo/scenarios';
import type { TransactionEventRecord, TransactionState } from '../../src/common/types';

const event = (
  status: TransactionEventRecord['status'],
  source: TransactionEventRecord['source'],
  applied = true,
): TransactionEventRecord => ({
  key: `k-${status}-${source}-${Math.random()}`,
  type: status === 'signed' ? 'signed' : 'statusReported',
  source,
  receivedAt: '2026-01-01T00:00:00.000Z',
  providerStatus: String(status),
  status,
  applied,
});

function state(
  status: TransactionState['status'],
  events: TransactionEventRecord[],
  extra: Partial<TransactionState> = {},
): TransactionState {
  return {
    provider: 'signicat',
    kind: 'signing',
    externalId: 'p-1',
    workflowId: 'signing:signicat:p-1',
    status,
    registered: true,
    events,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

describe('demo expectations', () => {
  const polled: Expectation = { status: 'signed', source: 'poll' };

  it('needs the expected status brought by the expected source', () => {
    expect(reached(polled, state('signed', [event('in_progress', 'callback'), event('signed', 'poll')]))).toBe(true);
    expect(reached(polled, state('signed', [event('signed', 'callback')]))).toBe(false);
    expect(reached(polled, state('in_progress', [event('in_progress', 'poll')]))).toBe(false);
  });

  it('reads the event that set the status, not a later duplicate that changed nothing', () => {
    const s = state('signed', [event('signed', 'poll'), event('signed', 'callback', false)]);
    expect(reached(polled, s)).toBe(true);
  });

  it('wants the Notify recorded for a callback recovered by Notify', () => {
    const notify: Expectation = { status: 'signed', source: 'callback', afterNotify: true };
    const signed = [event('signed', 'callback')];
    expect(reached(notify, state('signed', signed))).toBe(false);
    const after = state('signed', signed, {
      lastFollowUp: { at: '2026-01-01T00:00:05.000Z', outcome: 'notify requested: the callback should follow' },
    });
    expect(reached(notify, after)).toBe(true);
  });
});

describe('demo progress table', () => {
  const row = (s?: TransactionState): Row => ({
    provider: 'signicat',
    title: 'callback lost, Notify',
    expect: { status: 'signed', source: 'callback' },
    note: 'registered',
    outcome: 'running',
    state: s,
  });

  it('tells the path of statuses from the one a transaction starts in', () => {
    expect(
      path(
        state('signed', [
          event('pending', 'callback'),
          event('in_progress', 'callback'),
          event('in_progress', 'callback'),
          event('signed', 'poll'),
        ]),
      ),
    ).toBe('pending → in_progress → signed');
    expect(
      path({
        ...state('opened', [event('delivered', 'callback'), event('opened', 'callback')]),
        kind: 'registered-mail',
      }),
    ).toBe('sent → delivered → opened');
  });

  it('says a callback came after a Notify', () => {
    const s = state('signed', [event('signed', 'callback')], {
      lastFollowUp: { at: 'x', outcome: 'notify requested: the callback should follow' },
    });
    expect(via(row(s))).toBe('Notify → callback');
    expect(via(row(state('signed', [event('signed', 'poll')])))).toBe('poll');
  });

  it('piped, prints a row only when it changed', () => {
    const written: string[] = [];
    const r = row();
    const table = new ProgressTable([r], { write: (t) => void written.push(t), isTTY: false });
    table.render();
    table.render();
    expect(written).toHaveLength(1);
    r.note = 'accepted; the callback is lost';
    table.render();
    expect(written).toHaveLength(2);
    expect(written[1]).toContain('accepted; the callback is lost');
    expect(written.join('')).not.toContain('\x1b');
  });

  it('on a terminal, redraws in place within its width', () => {
    const written: string[] = [];
    const r = row();
    r.note = 'x'.repeat(300);
    const table = new ProgressTable([r], { write: (t) => void written.push(t), isTTY: true, columns: 80 });
    table.render();
    table.render();
    const lines = written[0].split('\n').filter(Boolean);
    // Back up over every line drawn the first time, and no further.
    expect(written[1].startsWith(`\x1b[${lines.length}F`)).toBe(true);
    for (const line of lines) expect(line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').length).toBeLessThanOrEqual(79);
  });

  it('on a terminal too short for the table, prints lines instead of redrawing', () => {
    const written: string[] = [];
    const rows = Array.from({ length: 10 }, () => row());
    new ProgressTable(rows, { write: (t) => void written.push(t), isTTY: true, columns: 80, rows: 20 }).render();
    expect(written.join('')).not.toContain('\x1b[2K');
    expect(written).toHaveLength(10);
  });
});
