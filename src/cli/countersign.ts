// `npx countersign <command>`: what an operator needs without opening the Web UI.
// Each call is a short process, so what it loads is its speed: the Temporal client (its
// protobuf definitions are most of the start-up time) is loaded only by the commands that
// talk to Temporal, and never the worker or the workflow bundler (docs/performance.md).
/* eslint-disable @typescript-eslint/no-require-imports -- the commands that talk to Temporal load its client lazily (see connect()) */
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../config';
import { labelOf } from '../providers/module';
import { builtInProviders } from '../providers/registry';
import { lateEvents } from '../workflows/late-callback';
import { CliUsageError, parseCliArguments, type CliArguments } from './arguments';

/** The providers whose follow-up can ask for the callback again, as people write them. */
const NOTIFYING = builtInProviders.modules
  .filter((m) => m.notifies)
  .map(labelOf)
  .join(', ');

const USAGE = `countersign — operate Countersign transactions

  countersign list [--provider P] [--status S] [--since 1h|ISO] [--open] [--limit N] [--cursor C] [--json]
                  [--held | --attention held-final|step-failed]
                                         the latest change first (close time, else start time);
                                         --held: finals waiting for the provider's confirmation
  countersign held accept|reject <workflowId> --by WHO --reason WHY
                                         settle a held final by hand (recorded in its history)
  countersign retry-steps <workflowId>   run the post-signing steps that failed for good again
  countersign show <workflowId> [--json]
  countersign poll <workflowId>          ask the provider's status API now
  countersign renotify <workflowId>      ask the provider to send its callback again (${NOTIFYING})
  countersign late [--limit N]           callbacks that came after their transaction closed
  countersign late show <lateWorkflowId>
  countersign late apply <lateWorkflowId>   apply a late callback by hand (new run of the transaction)
  countersign refused [--limit N]        recent refused callbacks, from the running server
  countersign problems [--limit N] [--json]
                                         workflows the Temporal server reports stuck (failing workflow tasks)

Connects to TEMPORAL_ADDRESS (default 127.0.0.1:TEMPORAL_PORT), namespace TEMPORAL_NAMESPACE;
\`refused\` asks COUNTERSIGN_URL (default http://127.0.0.1:PORT).
`;

export class CliError extends Error {
  override name = 'CliError';
}

function table(rows: Array<Record<string, string | undefined>>): string {
  if (rows.length === 0) return '(none)';
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(width[i]))
      .join('  ')
      .trimEnd();
  return [
    line(cols),
    line(width.map((w) => '─'.repeat(w))),
    ...rows.map((r) => line(cols.map((c) => r[c] ?? ''))),
  ].join('\n');
}

/** The Temporal address this CLI uses, as the configuration resolves it. */
function temporalAddress(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devServer.port}`;
}

async function connect(config: Config): Promise<{ client: Client; close: () => Promise<void> }> {
  // require, not import(): under tsx a dynamic import() would bypass its TypeScript loader.
  const { Connection } = require('@temporalio/client') as typeof import('@temporalio/client');
  const { temporalConnectionOptions } =
    require('../temporal/connection-options') as typeof import('../temporal/connection-options');
  const address = temporalAddress(config);
  try {
    // Same cluster, TLS and API key as the worker and receivers; an operator waiting on a
    // wrong address should hear about it in seconds, not the SDK's default ten.
    const connection = await Connection.connect({
      ...temporalConnectionOptions(config.temporal),
      connectTimeout: '3s',
    });
    // Same payload keys too: states are encrypted in Temporal.
    const { engineClient } = require('../temporal/engine-client') as typeof import('../temporal/engine-client');
    const client = engineClient(connection, config);
    return { client, close: () => connection.close() };
  } catch (err) {
    throw new CliError(
      `cannot reach Temporal at ${address} (${err instanceof Error ? err.message : String(err)}). ` +
        `Is Countersign running (npm start)? Otherwise point the CLI at it: TEMPORAL_ADDRESS=host:port for a cluster of your own, ` +
        `or TEMPORAL_PORT=<port> for the embedded dev server started with a port of its own.`,
    );
  }
}

export async function run(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    out(USAGE);
    return command ? 0 : 1;
  }
  let parsed: CliArguments;
  const config = loadConfig();
  try {
    parsed = parseCliArguments(command, rest, config.providerModules.names);
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    out(`countersign: ${err.message}\n\n${USAGE}`);
    return 1;
  }
  const args = parsed.positional;
  if (command === 'refused') {
    const base = process.env.COUNTERSIGN_URL ?? `http://127.0.0.1:${config.http.port}`;
    const headers: Record<string, string> = config.http.apiToken
      ? { authorization: `Bearer ${config.http.apiToken}` }
      : {};
    const res = await fetch(`${base}/operator/refused?limit=${parsed.limit}`, { headers }).catch((err: Error) => {
      throw new CliError(
        `cannot reach Countersign at ${base} (${err.cause instanceof Error ? err.cause.message : err.message}). Is it running? Otherwise set COUNTERSIGN_URL (or PORT) to where it listens.`,
      );
    });
    if (res.status === 401 || res.status === 403)
      throw new CliError(`${base} answered ${res.status}: set COUNTERSIGN_API_TOKEN to the server's token`);
    if (!res.ok) throw new CliError(`${base} answered ${res.status}`);
    const { refused } = (await res.json()) as { refused: Array<Record<string, string | undefined>> };
    out(
      table(
        refused.map((r) => ({ at: r.at, provider: r.provider, reason: r.reason, detail: r.detail, sender: r.sender })),
      ),
    );
    return 0;
  }

  const limit = parsed.limit;
  const since = parsed.since;
  const { client, close } = await connect(config);
  const { getState } = require('../temporal/transactions') as typeof import('../temporal/transactions');
  const { applyLate, decideHeldFinal, followUpNow, getLate, LATE_QUERY, listWorkflows, retryFailedSteps } =
    require('../temporal/operator') as typeof import('../temporal/operator');
  const { listTransactions, parseSince } =
    require('../temporal/transaction-list') as typeof import('../temporal/transaction-list');
  try {
    switch (command) {
      case 'problems': {
        const { listReportedProblems, serverReportsProblems } =
          require('../temporal/reported-problems') as typeof import('../temporal/reported-problems');
        if (!(await serverReportsProblems(client)))
          throw new CliError(
            'this Temporal server does not report problems (TemporalReportedProblems needs server 1.28+); ' +
              'see countersign_workflow_task_failures_total and the worker logs instead',
          );
        const problems = await listReportedProblems(client, limit);
        out(parsed.json ? JSON.stringify(problems, null, 2) : table(problems.map((p) => ({ ...p }))));
        return 0;
      }
      case 'list': {
        const sinceAt = since === undefined ? undefined : parseSince(since);
        if (since !== undefined && !sinceAt) throw new CliError('--since: expected an ISO time or a duration like 1h');
        const page = await listTransactions(client, {
          provider: parsed.provider,
          status: parsed.status,
          since: sinceAt,
          open: parsed.open,
          limit,
          cursor: parsed.cursor,
          attention: parsed.attention,
        });
        if (parsed.json) {
          out(JSON.stringify(page, null, 2));
          return 0;
        }
        out(
          table(
            page.transactions.map((t) => ({
              lastChange: t.lastChange,
              workflowId: t.workflowId,
              status: t.status,
              run: t.run,
            })),
          ),
        );
        if (page.nextCursor) out(`\nmore: add --cursor ${page.nextCursor}`);
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
        out(
          `${state.workflowId}\n  status     ${state.status}${state.providerStatus ? ` (provider: ${state.providerStatus})` : ''}`,
        );
        out(`  registered ${state.registered}${state.reference ? `, reference ${state.reference}` : ''}`);
        if (state.deadline) out(`  deadline   ${state.deadline}`);
        if (state.nextFollowUpAt) out(`  next follow-up ${state.nextFollowUpAt}`);
        if (state.lastFollowUp) out(`  last follow-up ${state.lastFollowUp.at}: ${state.lastFollowUp.outcome}`);
        if (state.outcomeReason) out(`  reason     ${state.outcomeReason}`);
        out('');
        out(
          table(
            state.events.map((e) => ({
              receivedAt: e.receivedAt,
              type: e.type,
              source: e.source,
              provider: e.providerStatus,
              status: e.status,
              applied: String(e.applied),
              reason: e.reason,
            })),
          ),
        );
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
      case 'held': {
        const [decision, id] = args;
        if ((decision !== 'accept' && decision !== 'reject') || !id || !parsed.by || !parsed.reason)
          throw new CliError('usage: countersign held accept|reject <workflowId> --by WHO --reason WHY');
        const { status } = await decideHeldFinal(client, id, { decision, by: parsed.by, reason: parsed.reason });
        out(`${id}: held final ${decision}ed; status now ${status}`);
        return 0;
      }
      case 'retry-steps': {
        if (!args[0]) throw new CliError('retry-steps needs a workflow id');
        const ctx = { client, taskQueue: config.temporal.taskQueue, engine: config.engine };
        const { retrying, newRun } = await retryFailedSteps(ctx, args[0]);
        out(
          retrying.length === 0
            ? `${args[0]}: no failed step to retry`
            : `${args[0]}: retrying ${retrying.join(', ')}${newRun ? ' (a new run carrying the closed run’s state)' : ''}`,
        );
        return 0;
      }
      case 'late': {
        if (args[0] === 'show' && args[1]) {
          out(JSON.stringify(await getLate(client, args[1]), null, 2));
          return 0;
        }
        if (args[0] === 'apply' && args[1]) {
          const { workflowId, newRun } = await applyLate(
            { client, taskQueue: config.temporal.taskQueue, engine: config.engine },
            args[1],
          );
          out(`applied to ${workflowId}${newRun ? ' (a new run carrying the closed run’s state)' : ''}`);
          return 0;
        }
        const late = await listWorkflows(client, LATE_QUERY, limit);
        const rows = await Promise.all(
          late.map(async (w) => {
            let record: Awaited<ReturnType<typeof getLate>>;
            try {
              record = await getLate(client, w.workflowId);
            } catch (err) {
              // One record this CLI cannot read (encrypted with a key it was not given, say)
              // must not hide the others.
              return { lateWorkflowId: w.workflowId, at: '', event: '', reason: `cannot read: ${unreadable(err)}` };
            }
            const events = lateEvents(record);
            const what = events.map((e) => `${e.type} (${e.providerStatus})`);
            return {
              lateWorkflowId: w.workflowId,
              at: events[0]?.receivedAt ?? '',
              event: what.slice(0, 3).join(', ') + (what.length > 3 ? ` +${what.length - 3}` : ''),
              reason: record.reason,
            };
          }),
        );
        out(table(rows));
        return 0;
      }
      default:
        return 1;
    }
  } finally {
    await close();
  }
}

/** Why a stored record could not be read, in the operator's terms. */
function unreadable(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const { ENCRYPTED_ENCODING } = require('../encryption/payload-codec') as typeof import('../encryption/payload-codec');
  // The SDK's words for an encrypted payload reaching a client without a codec.
  if (message.includes(`Unknown encoding: ${ENCRYPTED_ENCODING}`))
    return 'it is encrypted and this CLI has no key (set COUNTERSIGN_ENCRYPTION_KEYS)';
  return message;
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
