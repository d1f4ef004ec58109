// Several accounts of one provider (docs/accounts.md): two Signhost applications with their own
// shared secrets, two Evrotrust vendor numbers. The unnamed variables stay the default account;
// `<PREFIX>_ACCOUNTS=acme,globex` names more, each configured by the same variables with
// `<PREFIX>_ACCOUNT_<NAME>_` in front of what follows the prefix (SIGNHOST_SHARED_SECRET →
// SIGNHOST_ACCOUNT_ACME_SHARED_SECRET). An account's callbacks arrive under
// `/callbacks/{provider}/{account}` and its transactions' workflow ids carry `@{account}`.
import { z } from 'zod';
import type { ProviderModule } from './module';

/** Lower-case letters and digits: one URL path segment, one `_`-free part of a variable name. */
export const ACCOUNT_NAME = /^[a-z][a-z0-9]{0,31}$/;
export const DEFAULT_ACCOUNT = 'default';

export const accountsVariable = (prefix: string) => `${prefix}_ACCOUNTS`;

/** `SIGNHOST_SHARED_SECRET` of account `acme` → `SIGNHOST_ACCOUNT_ACME_SHARED_SECRET`. */
export const accountVariable = (prefix: string, account: string, variable: string) =>
  `${prefix}_ACCOUNT_${account.toUpperCase()}_${variable.slice(prefix.length + 1)}`;

/** `<PREFIX>_ACCOUNTS`: names, checked now (a typo must not open a route nobody configured). */
export const accountList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const names = (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const name of names) {
      if (!ACCOUNT_NAME.test(name))
        ctx.addIssue({
          code: 'custom',
          message: `"${name}": expected lower-case letters and digits, starting with a letter`,
        });
      if (name === DEFAULT_ACCOUNT)
        ctx.addIssue({ code: 'custom', message: `"${DEFAULT_ACCOUNT}" is the unnamed variables' account` });
    }
    if (new Set(names).size < names.length) ctx.addIssue({ code: 'custom', message: 'an account is named twice' });
    return names;
  });

/**
 * The variables an account has of its own: the module's credentials (never inherited from the
 * default account, or one account's secret would open another's route), and the shared ones
 * that may differ per account (inherited when unset).
 */
export function accountVariables(m: ProviderModule): { own: string[]; inherited: string[] } {
  const p = m.envPrefix;
  const own = [...(m.accountVariables ?? []), `${p}_ALLOW_UNAUTHENTICATED`].filter((v) => v in m.env);
  const inherited = [`${p}_API_URL`, `${p}_ALLOWED_IPS`, `${p}_API_RATE_LIMIT`].filter((v) => v in m.env);
  return { own, inherited };
}

export interface AccountProblem {
  variable: string;
  message: string;
}

/**
 * One account's variables parsed with the module's own schema, under the default account's
 * names (so the module's `settings` and callback guards read them unchanged). Problems name the
 * account's own variables.
 */
export function parseAccountEnv(
  m: ProviderModule,
  account: string,
  env: NodeJS.ProcessEnv,
): { ok: true; values: Record<string, unknown> } | { ok: false; problems: AccountProblem[] } {
  const { own, inherited } = accountVariables(m);
  const named = (v: string) => accountVariable(m.envPrefix, account, v);
  const raw: Record<string, string | undefined> = {};
  for (const v of Object.keys(m.env)) raw[v] = env[v];
  for (const v of own) raw[v] = env[named(v)];
  for (const v of inherited) raw[v] = env[named(v)] ?? env[v];
  const parsed = z.object(m.env).safeParse(raw);
  if (parsed.success) return { ok: true, values: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((i) => {
      const v = String(i.path[0]);
      return { variable: own.includes(v) || env[named(v)] !== undefined ? named(v) : v, message: i.message };
    }),
  };
}

/**
 * Variables that look like an account's but name no declared account or no variable an account
 * has: refused, since a misspelt secret would otherwise leave its account unguarded.
 */
export function strayAccountVariables(
  m: ProviderModule,
  accounts: readonly string[],
  env: NodeJS.ProcessEnv,
): string[] {
  const { own, inherited } = accountVariables(m);
  const known = new Set(accounts.flatMap((a) => [...own, ...inherited].map((v) => accountVariable(m.envPrefix, a, v))));
  const prefix = `${m.envPrefix}_ACCOUNT_`;
  return Object.keys(env).filter((k) => k.startsWith(prefix) && env[k] !== undefined && !known.has(k));
}

/** The account a workflow id names (`signing:signhost@acme:…`); undefined for the default account. */
export function accountOfWorkflowId(workflowId: string): string | undefined {
  const provider = workflowId.split(':', 2)[1] ?? '';
  const at = provider.indexOf('@');
  return at === -1 ? undefined : provider.slice(at + 1);
}

/**
 * One function per account behind one: picks by the account of the transaction it is called
 * for. An account this process does not know (configuration changed since the transaction
 * started) fails loudly instead of using another account's credentials.
 */
export function perAccount<A extends unknown[], R>(
  byAccount: Record<string, (...args: A) => R>,
  accountOf: (...args: A) => string | undefined,
  unknown: (account: string) => R,
): (...args: A) => R {
  return (...args) => {
    const account = accountOf(...args) ?? DEFAULT_ACCOUNT;
    const fn = Object.hasOwn(byAccount, account) ? byAccount[account] : undefined;
    return fn ? fn(...args) : unknown(account);
  };
}

/** Each provider's named accounts: their parsed variables (under the default's names) by account. */
export type AccountValues = Record<string, Record<string, Record<string, unknown>>>;

/**
 * Every provider's named accounts from the environment, or the problems that stop startup
 * (each naming its variable).
 */
export function parseAccounts(
  modules: readonly ProviderModule[],
  env: NodeJS.ProcessEnv,
  parsedEnv: Record<string, unknown>,
): { values: AccountValues; problems: string[] } {
  const values: AccountValues = {};
  const problems: string[] = [];
  for (const m of modules) {
    const names = (parsedEnv[accountsVariable(m.envPrefix)] as string[] | undefined) ?? [];
    for (const stray of strayAccountVariables(m, names, env))
      problems.push(`  ${stray}: no such account variable (accounts: ${names.join(', ') || 'none'}; docs/accounts.md)`);
    if (names.length === 0) continue;
    values[m.name] = {};
    for (const account of names) {
      const parsed = parseAccountEnv(m, account, env);
      if (!parsed.ok) problems.push(...parsed.problems.map((p) => `  ${p.variable}: ${p.message} (value hidden)`));
      else values[m.name][account] = parsed.values;
    }
  }
  return { values, problems };
}
