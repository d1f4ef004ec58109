// The CLI's flags, checked before anything connects: `--limit abc` once listed everything.
import { z } from 'zod';
import { ATTENTION_REASONS, REGISTERED_MAIL_STATUSES, SIGNING_STATUSES } from '../common/types';

export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

const FLAGS = {
  '--limit': z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number').min(1).max(1000),
  '--status': z.enum([...SIGNING_STATUSES, ...REGISTERED_MAIL_STATUSES, 'unregistered']),
  // The configured providers' names, checked in parseCliArguments.
  '--provider': z.string().min(1),
  '--since': z.string().min(1),
  '--cursor': z.string().min(1),
  '--attention': z.enum(ATTENTION_REASONS),
  '--by': z.string().min(1).max(200),
  '--reason': z.string().min(1).max(1000),
} as const;
type ValueFlag = keyof typeof FLAGS;
const SWITCHES = ['--open', '--json', '--held'] as const;
type Switch = (typeof SWITCHES)[number];

/** Which flags each command takes. */
const ALLOWED: Record<string, ReadonlyArray<ValueFlag | Switch>> = {
  list: ['--status', '--provider', '--open', '--limit', '--since', '--cursor', '--json', '--attention', '--held'],
  held: ['--by', '--reason'],
  'retry-steps': [],
  show: ['--json'],
  poll: [],
  renotify: [],
  late: ['--limit'],
  refused: ['--limit'],
  problems: ['--limit', '--json'],
};

export interface CliArguments {
  positional: string[];
  limit: number;
  status?: string;
  provider?: string;
  since?: string;
  cursor?: string;
  attention?: (typeof ATTENTION_REASONS)[number];
  by?: string;
  reason?: string;
  open: boolean;
  json: boolean;
}

/** Flags and positional words of one command; throws CliUsageError naming what is wrong. */
/** `providers`: the names `--provider` may take (the configured providers). */
export function parseCliArguments(command: string, args: string[], providers: readonly string[]): CliArguments {
  if (!Object.hasOwn(ALLOWED, command)) throw new CliUsageError(`unknown command ${command}`);
  const allowed = ALLOWED[command];
  const parsed: CliArguments = { positional: [], limit: 50, open: false, json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      parsed.positional.push(arg);
      continue;
    }
    if (!allowed.includes(arg as ValueFlag | Switch)) throw new CliUsageError(`${command} does not take ${arg}`);
    if (arg === '--held') {
      parsed.attention = 'held-final';
      continue;
    }
    if ((SWITCHES as readonly string[]).includes(arg)) {
      parsed[arg === '--open' ? 'open' : 'json'] = true;
      continue;
    }
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new CliUsageError(`${arg} needs a value`);
    i++;
    const result = FLAGS[arg as ValueFlag].safeParse(value);
    if (!result.success) throw new CliUsageError(`${arg} ${JSON.stringify(value)}: ${result.error.issues[0].message}`);
    if (arg === '--provider' && !providers.includes(value))
      throw new CliUsageError(`--provider ${JSON.stringify(value)}: expected one of ${providers.join(', ')}`);
    if (arg === '--limit') parsed.limit = result.data as number;
    else if (arg === '--attention') parsed.attention = result.data as CliArguments['attention'];
    else parsed[arg.slice(2) as 'status' | 'provider' | 'since' | 'cursor' | 'by' | 'reason'] = result.data as string;
  }
  return parsed;
}
