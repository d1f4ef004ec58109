// Step names checked when a transaction is registered: a typo is a 400 naming it now, rather
// than a step that fails with NotFoundError after its retries, long after the caller left.
import type { StepPlan, StepSpec } from '../common/types';

/** The steps every worker runs, whatever user activities it was given. */
export const BUILT_IN_STEPS = ['downloadSignedDocument', 'notifyApplication'] as const;

/** `path: unknown step "name"` for each step of the plan the engine does not know. */
export function unknownSteps(steps: StepPlan | undefined, known: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const [outcome, list] of Object.entries(steps ?? {}) as Array<[string, StepSpec[] | undefined]>) {
    (list ?? []).forEach((spec, i) => {
      const name = typeof spec === 'string' ? spec : spec.name;
      if (!known.has(name)) problems.push(`steps.${outcome}.${i}: unknown step "${name}"`);
    });
  }
  return problems;
}

/** The same check for POST_SIGNING_STEPS's plans, by provider or `default`. */
export function unknownDefaultSteps(
  plans: Partial<Record<string, StepPlan>> | undefined,
  known: ReadonlySet<string>,
): string[] {
  return Object.entries(plans ?? {}).flatMap(([scope, plan]) =>
    unknownSteps(plan, known).map((problem) => `${scope}.${problem.replace(/^steps\./, '')}`),
  );
}
