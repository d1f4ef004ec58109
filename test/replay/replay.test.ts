// Determinism: every saved history (test/replay/histories, written by
// `npm run histories:capture`, old versions kept) must replay against today's workflow code.
// A change that would break a running transaction fails here, before it reaches one.
import { Worker, type ReplayResult } from '@temporalio/worker';
import type { History } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as workflows from '../../src/workflows';
import { workflowBundle } from '../helpers/temporal';
import { historyFromJSON } from './history-json';
import { replayDataConverter } from './replay-keys';

const DIR = join(__dirname, 'histories');
const EventType = temporal.api.enums.v1.EventType;
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string): History => historyFromJSON(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
const workflowType = (h: History) => h.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;

async function replay(histories: Array<{ workflowId: string; history: History }>): Promise<Map<string, ReplayResult>> {
  const results = new Map<string, ReplayResult>();
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: await workflowBundle(), dataConverter: replayDataConverter() },
    histories,
  )) {
    results.set(result.workflowId, result);
  }
  return results;
}

let results: Map<string, ReplayResult>;
beforeAll(async () => {
  results = await replay(files.map((f) => ({ workflowId: f, history: load(f) })));
}, 120_000);

describe('saved workflow histories', () => {
  it('cover every workflow type the worker runs', () => {
    const covered = new Set(files.map((f) => workflowType(load(f))));
    expect([...covered]).toEqual(expect.arrayContaining(Object.keys(workflows)));
  });

  it('cover every phase a run hands over in, late apply and the restart after the TTL', () => {
    const types = (f: string) => (load(f).events ?? []).map((e) => String(e.eventType));
    const lastOf = (prefix: string) => files.filter((f) => f.startsWith(prefix)).map((f) => types(f).at(-1));
    // The run that handed over ends in continue-as-new; the one after it completes.
    for (const phase of ['steps', 'linger', 'follow-up']) {
      expect(lastOf(`hand-over-during-${phase}.run1.`)).toContain(
        String(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW),
      );
      expect(lastOf(`hand-over-during-${phase}.run2.`)).toContain(
        String(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
      );
    }
    // A step and a follow-up that were running are cancelled at the hand-over.
    for (const phase of ['steps', 'follow-up'])
      expect(
        files.some(
          (f) =>
            f.startsWith(`hand-over-during-${phase}.run1.`) &&
            types(f).includes(String(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED)),
        ),
      ).toBe(true);
    for (const scenario of [
      'late-apply.',
      'ttl-restart-folds-late.',
      'held-final-unconfirmed-accepted.',
      'step-failed-retried.',
    ])
      expect(files.some((f) => f.startsWith(scenario))).toBe(true);
  });

  it.each(files)('%s replays deterministically', (file) => {
    expect(results.get(file)).toBeDefined();
    expect(results.get(file)?.error).toBeUndefined();
  });

  it('catch a change that would break running workflows', async () => {
    // The same history, as if the code had once scheduled a different activity at that point.
    const file = files.find((f) => load(f).events?.some((e) => e.activityTaskScheduledEventAttributes))!;
    const history = load(file);
    const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes)!;
    scheduled.activityTaskScheduledEventAttributes!.activityType = { name: 'someOtherActivity' };
    const [result] = [...(await replay([{ workflowId: 'tampered', history }])).values()];
    expect(result.error?.name).toBe('DeterminismViolationError');
  });
});
