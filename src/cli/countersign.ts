// `npx countersign <command>`: what an operator needs without opening the Web UI.
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { CliUsageError, parseCliArguments } from './arguments';
import { getState } from '../temporal/transactions';
import { lateEvents } from '../workflows/late-callback';
import { applyLate, followUpNow, getLate, LATE_QUERY, listWorkflows, transactionQuery, type ListedWorkflow } from '../temporal/operator';
import { temporalConnectionOptions } from '../temporal/connection-options';
import { createDataConverter } from '../encryption/data-converter';

const USAGE = `countersign — operate Countersign transactions

  countersign list [--status S] [--provider P] [--open] [--limit N]
  countersign show <workflowId> [--json]
  countersign poll <workflowId>          ask the provider's status API now
  countersign renotify <workflowId>      ask the provider to send its callback again (Signicat)
  countersign late [--limit N]           callbacks that came after their transaction closed
  countersign late show <lateWorkflowId>
  countersign late apply <lateWorkflowId>   apply a late callback by hand (new run of the transaction)
  countersign refused [--limit N]        recent refused callbacks, from the running server

Connects to TEMPORAL_ADDRESS (default 127.0.0.1:TEMPORAL_PORT), namespace TEMPORAL_NAMESPACE.
`;

function table(rows: Array<Record<string, string | undefined>>): string {
  if (rows.length === 0) return '(none)';
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(width[i])).join('  ').trimEnd();
  return [line(cols), line(width.map((w) => '─'.repeat(w))), ...rows.map((r) => line(cols.map((c) => r[c] ?? '')))].join('\n');
}

const workflowRows = (list: ListedWorkflow[]) =>
  list.map((w) => ({ workflowId: w.workflowId, status: w.signingStatus, run: w.status.toLowerCase(), started: w.startTime, closed: w.closeTime }));

export async function run(argv: string[], out: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    out(USAGE);
    return command ? 0 : 1;
  }
  let parsed;
  try {
    parsed = parseCliArguments(command, rest);
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    out(`countersign: ${err.message}\n\n${USAGE}`);
    return 1;
  }
  const args = parsed.positional;
  const config = loadConfig();
  if (command === 'refused') {
    const base = process.env.COUNTERSIGN_URL ?? `http://127.0.0.1:${config.http.port}`;
    const headers: Record<string, string> = config.http.apiToken ? { authorization: `Bearer ${config.http.apiToken}` } : {};
    const res = await fetch(`${base}/operator/refused?limit=${parsed.limit}`, { headers });
    if (!res.ok) throw new Error(`${base} answered ${res.status}`);
    const { refused } = (await res.json()) as { refused: Array<Record<string, string | undefined>> };
    out(table(refused.map((r) => ({ at: r.at, provider: r.provider, reason: r.reason, detail: r.detail, sender: r.sender }))));
    return 0;
  }

  // Same cluster, TLS, API key and payload keys as the worker and receivers.
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.encryption) });
  try {
    const limit = parsed.limit;
    switch (command) {
      case 'list': {
        const query = transactionQuery({ status: parsed.status, provider: parsed.provider, open: parsed.open });
        out(table(workflowRows(await listWorkflows(client, query, limit))));
        return 0;
      }
      case 'show': {
        const id = args[0];
        if (!id) throw new Error('show needs a workflow id');
        const state = await getState(client, id);
        if (!state) {
          out(`no transaction ${id}`);
          return 2;
        }
        if (parsed.json) {
          out(JSON.stringify(state, null, 2));
          return 0;
        }
        out(`${state.workflowId}\n  status     ${state.status}${state.providerStatus ? ` (provider: ${state.providerStatus})` : ''}`);
        out(`  registered ${state.registered}${state.reference ? `, reference ${state.reference}` : ''}`);
        if (state.deadline) out(`  deadline   ${state.deadline}`);
        if (state.nextFollowUpAt) out(`  next follow-up ${state.nextFollowUpAt}`);
        if (state.lastFollowUp) out(`  last follow-up ${state.lastFollowUp.at}: ${state.lastFollowUp.outcome}`);
        if (state.outcomeReason) out(`  reason     ${state.outcomeReason}`);
        out('');
        out(table(state.events.map((e) => ({ receivedAt: e.receivedAt, type: e.type, source: e.source, provider: e.providerStatus, status: e.status, applied: String(e.applied), reason: e.reason }))));
        for (const s of state.steps ?? []) out(`  step ${s.name}: ${s.status}${s.error ? ` — ${s.error}` : ''}`);
        return 0;
      }
      case 'poll':
      case 'renotify': {
        if (!args[0]) throw new Error(`${command} needs a workflow id`);
        await followUpNow(client, args[0], command === 'poll' ? 'poll' : 'notify');
        out(`asked ${args[0]} to ${command === 'poll' ? 'poll its provider' : 'ask for the callback again'} now`);
        return 0;
      }
      case 'late': {
        if (args[0] === 'show' && args[1]) {
          out(JSON.stringify(await getLate(client, args[1]), null, 2));
          return 0;
        }
        if (args[0] === 'apply' && args[1]) {
          const { workflowId, newRun } = await applyLate({ client, taskQueue: config.temporal.taskQueue, engine: config.engine }, args[1]);
          out(`applied to ${workflowId}${newRun ? ' (a new run carrying the closed run’s state)' : ''}`);
          return 0;
        }
        const late = await listWorkflows(client, LATE_QUERY, limit);
        const rows = await Promise.all(
          late.map(async (w) => {
            const record = await getLate(client, w.workflowId);
            const events = lateEvents(record);
            const what = events.map((e) => `${e.type} (${e.providerStatus})`);
            return { lateWorkflowId: w.workflowId, at: events[0]?.receivedAt ?? '', event: what.slice(0, 3).join(', ') + (what.length > 3 ? ` +${what.length - 3}` : ''), reason: record.reason };
          }),
        );
        out(table(rows));
        return 0;
      }
      default:
        out(`unknown command ${command}\n\n${USAGE}`);
        return 1;
    }
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`countersign: ${err instanceof Error ? err.message : err}`);
      process.exit(1);
    },
  );
}
