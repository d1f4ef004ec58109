// Step names checked when a transaction is registered: a typo is a 400 naming it now, rather
// than a step that fails with NotFoundError after its retries, long after the caller left.
import type { RegisterTransactionBody } from './transaction-schemas';

/** The steps every worker runs, whatever user activities it was given. */
export const BUILT_IN_STEPS = ['downloadSignedDocument', 'notifyApplication'] as const;

/** `path: unknown step "name"` for each step of the plan the engine does not know. */
export function unknownSteps(steps: RegisterTransactionBody['steps'], known: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const [outcome, list] of Object.entries(steps ?? {})) {
    (list ?? []).forEach((spec, i) => {
      const name = typeof spec === 'string' ? spec : spec.name;
      if (!known.has(name)) problems.push(`steps.${outcome}.${i}: unknown step "${name}"`);
    });
  }
  return problems;
}
