// Plays every scenario at once against a running Countersign and its simulators, watching each
// transaction through `GET /transactions/{workflowId}` until it reaches its expected state.
import type { TransactionState } from '../common/types';
import type { ProviderRegistry } from '../providers/registry';
import { ProgressTable, type Output, type Row } from './progress';
import {
  decisiveEvent,
  reached,
  type DemoEndpoints,
  type Expectation,
  type Scenario,
  type ScenarioContext,
} from './scenarios';

export class DemoHttpError extends Error {
  override name = 'DemoHttpError';
}

export interface RunScenariosOptions {
  endpoints: DemoEndpoints;
  scenarios: Scenario[];
  /** The registry the scenarios' providers are in, for their labels. */
  registry?: ProviderRegistry;
  output: Output;
  /** Prefix of every id this run creates. */
  runId: string;
  /** One demo beat between a scenario's steps. */
  beatMs: number;
  /** Give up on transactions that have not reached their state by then. */
  timeoutMs: number;
  /** How often each transaction's state is read. */
  pollMs?: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  workflowId?: string;
  state?: TransactionState;
  ok: boolean;
  error?: string;
}

async function request(
  url: string,
  init: { method: string; body?: unknown; token?: string },
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: init.method,
    headers: {
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
      ...(init.token && { authorization: `Bearer ${init.token}` }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The expected status came the wrong way (a status, once set, is never set again). */
function arrivedOtherwise(expect: Expectation, state: TransactionState): boolean {
  const source = state.status === expect.status ? decisiveEvent(state)?.source : undefined;
  return source !== undefined && source !== expect.source;
}

export async function runScenarios(
  opts: RunScenariosOptions,
): Promise<{ results: ScenarioResult[]; table: ProgressTable }> {
  const { endpoints } = opts;
  const rows: Row[] = opts.scenarios.map((s) => ({
    provider: s.provider,
    title: s.title,
    expect: s.expect,
    note: 'starting',
    outcome: 'running',
  }));
  const table = new ProgressTable(rows, opts.output, opts.registry);
  const errors = new Map<Row, string>();

  const contextFor = (row: Row): ScenarioContext => ({
    endpoints,
    id: (suffix) => `${opts.runId}-${suffix}`,
    beat: () => sleep(opts.beatMs),
    say: (text) => {
      row.note = text;
    },
    async register(body) {
      const res = await request(`${endpoints.countersign}/transactions`, {
        method: 'POST',
        body,
        token: endpoints.apiToken,
      });
      const workflowId = (res.json as { workflowId?: string } | undefined)?.workflowId;
      if ((res.status !== 201 && res.status !== 200) || !workflowId)
        throw new DemoHttpError(`POST /transactions answered ${res.status}: ${JSON.stringify(res.json)}`);
      row.workflowId = workflowId;
      return workflowId;
    },
    async simulator(provider, path, body = {}) {
      const res = await request(`${endpoints.simulators[provider]}/_simulator${path}`, { method: 'POST', body });
      if (res.status >= 300)
        throw new DemoHttpError(`${provider} simulator ${path} answered ${res.status}: ${JSON.stringify(res.json)}`);
      return res.json;
    },
  });

  const played = opts.scenarios.map((scenario, i) =>
    scenario.run(contextFor(rows[i])).catch((err: Error) => {
      errors.set(rows[i], err.message);
      rows[i].note = `error: ${err.message}`;
      rows[i].outcome = 'failed';
    }),
  );

  const until = Date.now() + opts.timeoutMs;
  const ticker = opts.output.isTTY ? setInterval(() => table.render(), 100) : undefined;
  try {
    while (rows.some((r) => r.outcome === 'running') && Date.now() < until) {
      await Promise.all(
        rows.map(async (row, i) => {
          if (row.outcome !== 'running' || !row.workflowId) return;
          const res = await request(`${endpoints.countersign}/transactions/${encodeURIComponent(row.workflowId)}`, {
            method: 'GET',
            token: endpoints.apiToken,
          }).catch(() => undefined);
          if (res?.status !== 200) return;
          row.state = res.json as TransactionState;
          const expect = opts.scenarios[i].expect;
          if (reached(expect, row.state)) row.outcome = 'reached';
          else if (arrivedOtherwise(expect, row.state)) {
            row.outcome = 'failed';
            row.note = `${row.state.status} via ${decisiveEvent(row.state)?.source}, not via ${expect.source}`;
          }
        }),
      );
      table.render();
      await sleep(opts.pollMs ?? 250);
    }
  } finally {
    if (ticker) clearInterval(ticker);
  }
  for (const row of rows) {
    if (row.outcome !== 'running') continue;
    row.outcome = 'failed';
    row.note = `not ${row.expect.status} within ${Math.round(opts.timeoutMs / 1000)} s (${row.note})`;
  }
  table.render();
  // Steps still sleeping between beats have nothing left to show.
  await Promise.race([Promise.all(played), sleep(0)]);

  const results = opts.scenarios.map((scenario, i) => ({
    scenario,
    workflowId: rows[i].workflowId,
    state: rows[i].state,
    ok: rows[i].outcome === 'reached',
    ...(errors.has(rows[i]) && { error: errors.get(rows[i]) }),
  }));
  return { results, table };
}
