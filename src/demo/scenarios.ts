// What `npm run demo` plays: each provider's scenarios from its demo.ts, transactions driven
// through its simulator's control API the way a real signer and provider would act, and
// registered through Countersign's own application API.
import type { TransactionState } from '../common/types';
import type { Expectation, Scenario } from '../providers/kit/simulator/provider-demo';
import type { DemoProvider } from '../simulators/demo-providers';

export type { DemoEndpoints, Expectation, Scenario, ScenarioContext } from '../providers/kit/simulator/provider-demo';

/** Every provider's scenarios, in registry order. */
export function scenariosOf(providers: readonly DemoProvider[]): Scenario[] {
  return providers.flatMap((p) => p.demo.scenarios);
}

/** The applied event that brought the transaction to its current status, if any. */
export function decisiveEvent(state: TransactionState) {
  return [...state.events].reverse().find((e) => e.applied && e.status === state.status);
}

/** Whether the transaction ended as the scenario expects, and got there the expected way. */
export function reached(expect: Expectation, state: TransactionState): boolean {
  if (state.status !== expect.status) return false;
  if (decisiveEvent(state)?.source !== expect.source) return false;
  return !expect.afterNotify || (state.lastFollowUp?.outcome.startsWith('notify requested') ?? false);
}
