// Is the cluster ready for Countersign? The namespace must exist and every search attribute
// the engine writes must be registered with its type: otherwise each start fails with
// INVALID_ARGUMENT, which no retry fixes. Checked at startup (a process that cannot work
// refuses to start) and by the receivers' /readyz, naming what is missing and the command
// that creates it.
import type { ConnectionLike } from '@temporalio/client';
import type { SearchAttributeKey, SearchAttributeType } from '@temporalio/common/lib/search-attributes';
import type { Config } from '../config';
import { ALL_SEARCH_ATTRIBUTES } from '../common/search-attributes';
import { describeTemporalError, grpcCode, grpcCodeName } from './temporal-errors';

/** The proto's IndexedValueType numbers, and the names the `temporal` CLI takes for `--type`. */
const TYPES: Record<SearchAttributeType, { indexed: number; cli: string }> = {
  TEXT: { indexed: 1, cli: 'Text' },
  KEYWORD: { indexed: 2, cli: 'Keyword' },
  INT: { indexed: 3, cli: 'Int' },
  DOUBLE: { indexed: 4, cli: 'Double' },
  BOOL: { indexed: 5, cli: 'Bool' },
  DATETIME: { indexed: 6, cli: 'Datetime' },
  KEYWORD_LIST: { indexed: 7, cli: 'KeywordList' },
};

/** The IndexedValueType a key is registered with (what `addSearchAttributes` takes). */
export function indexedValueType(key: SearchAttributeKey<SearchAttributeType>): number {
  return TYPES[key.type].indexed;
}

/** The `temporal` CLI's name for a key's type (`Keyword`, `Datetime`). */
export function cliTypeName(key: SearchAttributeKey<SearchAttributeType>): string {
  return TYPES[key.type].cli;
}

export interface ReadinessProblem {
  /** What is wrong, e.g. `search attribute SigningProvider (Keyword) is not registered`. */
  problem: string;
  /** The command that fixes it. */
  fix: string;
}

export interface ReadinessReport {
  problems: ReadinessProblem[];
  /** What could not be checked (e.g. an API key without operator rights), logged as warnings. */
  unverified: string[];
}

export interface ReadinessTarget {
  namespace: string;
  /** Put in the commands, so they can be pasted as they are. */
  address?: string;
  /** The attributes to require; default: every one the engine writes. */
  searchAttributes?: ReadonlyArray<SearchAttributeKey<SearchAttributeType>>;
  /** The namespace's retention in the suggested `namespace create` command. */
  retention?: string;
  /** The cluster needs TLS or an API key: the commands then need the CLI's options for it. */
  secure?: boolean;
}

type Services = Pick<ConnectionLike, 'workflowService' | 'operatorService'>;

export class TemporalNotReadyError extends Error {
  override name = 'TemporalNotReadyError';
  constructor(
    readonly target: ReadinessTarget,
    readonly problems: ReadinessProblem[],
  ) {
    super(describeProblems(target, problems));
  }
}

export function describeProblems(target: ReadinessTarget, problems: ReadinessProblem[]): string {
  const where = `${target.address ? `Temporal at ${target.address}` : 'Temporal'}, namespace ${target.namespace}`;
  const lines = problems.map((p) => `  - ${p.problem}; create it with:\n      ${p.fix}`);
  const note = target.secure ? '\n(add the --tls / --api-key options your cluster needs to these commands)' : '';
  return `${where} is not ready for Countersign:\n${lines.join('\n')}${note}`;
}

/** `temporal operator <command> --address … --namespace …`, ready to paste. */
function cli(target: ReadinessTarget, command: string): string {
  return `temporal operator ${command}${target.address ? ` --address ${target.address}` : ''} --namespace ${target.namespace}`;
}

/**
 * Checks the namespace and the search attributes. Errors other than "not found" for the
 * namespace (Temporal unreachable, say) are thrown: an outage is not a misconfiguration.
 */
export async function checkTemporalReadiness(services: Services, target: ReadinessTarget): Promise<ReadinessReport> {
  const report: ReadinessReport = { problems: [], unverified: [] };
  try {
    await services.workflowService.describeNamespace({ namespace: target.namespace });
  } catch (err) {
    if (grpcCodeName(grpcCode(err)) !== 'NOT_FOUND') throw err;
    report.problems.push({
      problem: `namespace ${target.namespace} does not exist`,
      fix: `${cli(target, 'namespace create')} --retention ${target.retention ?? '30d'}`,
    });
    // Without the namespace its search attributes cannot be listed; the next check will.
    return report;
  }

  let registered: Record<string, number>;
  try {
    const answer = await services.operatorService.listSearchAttributes({ namespace: target.namespace });
    registered = {
      ...(answer.systemAttributes as Record<string, number>),
      ...(answer.customAttributes as Record<string, number>),
    };
  } catch (err) {
    const code = grpcCodeName(grpcCode(err));
    // Temporal Cloud API keys may lack the operator role: startup must not fail on that alone.
    if (code === 'PERMISSION_DENIED' || code === 'UNIMPLEMENTED' || code === 'UNAUTHENTICATED') {
      report.unverified.push(`search attributes not checked: ${describeTemporalError(err)}`);
      return report;
    }
    throw err;
  }

  for (const key of target.searchAttributes ?? ALL_SEARCH_ATTRIBUTES) {
    const type = cliTypeName(key);
    const fix = `${cli(target, 'search-attribute create')} --name ${key.name} --type ${type}`;
    const actual = registered[key.name];
    if (actual === undefined) {
      report.problems.push({ problem: `search attribute ${key.name} (${type}) is not registered`, fix });
    } else if (Number(actual) !== indexedValueType(key)) {
      const actualName = Object.values(TYPES).find((t) => t.indexed === Number(actual))?.cli ?? String(actual);
      report.problems.push({
        problem: `search attribute ${key.name} is registered as ${actualName}, Countersign needs ${type} (remove it first: ${cli(target, 'search-attribute remove')} --name ${key.name})`,
        fix,
      });
    }
  }
  return report;
}

/** Startup's check: throws TemporalNotReadyError naming every problem; returns what went unverified. */
export async function assertTemporalReady(services: Services, target: ReadinessTarget): Promise<string[]> {
  const report = await checkTemporalReadiness(services, target);
  if (report.problems.length > 0) throw new TemporalNotReadyError(target, report.problems);
  return report.unverified;
}

/** What this process's configuration asks of the cluster. */
export function readinessTarget(temporal: Config['temporal'], address?: string): ReadinessTarget {
  return {
    namespace: temporal.namespace,
    address: address ?? temporal.address ?? `127.0.0.1:${temporal.devServer.port}`,
    secure: temporal.tls.enabled || !!temporal.apiKey,
  };
}
