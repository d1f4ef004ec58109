// The user's own activities: what a step plan may name beside the built-in steps. They come
// from `startCountersignWorker({ activities })` or from the module COUNTERSIGN_ACTIVITIES_MODULE
// names (that is how `npm start` finds them), and run in the worker like Countersign's own.
import { resolve } from 'node:path';
import { BUILT_IN_ACTIVITY_NAMES } from './';
import type { Config } from '../config';
import { requireUserModule, TypeScriptModuleError, type UserModuleLoader } from '../platform/user-module';

/** An activity. A post-signing step receives a `StepInput` and returns something small and JSON-plain. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- `unknown[]` would refuse an activity with typed parameters
export type UserActivity = (...args: any[]) => unknown;
export type UserActivities = Record<string, UserActivity>;

/** What a module's `createActivities` factory is given. */
export interface UserActivitiesContext {
  config: Config;
}

export class UserActivitiesError extends Error {
  override name = 'UserActivitiesError';
}

// The same rule the step plan applies to names (src/api/transaction-schemas.ts).
const ACTIVITY_NAME = /^[A-Za-z_$][\w$]{0,99}$/;

/** Refuses what would fail later, at a worse time: non-functions, unusable names, and names taken. */
export function checkUserActivities(activities: Record<string, unknown>, source: string): UserActivities {
  for (const [name, fn] of Object.entries(activities)) {
    if (typeof fn !== 'function') throw new UserActivitiesError(`${source}: "${name}" is not a function`);
    if (!ACTIVITY_NAME.test(name))
      throw new UserActivitiesError(`${source}: "${name}" cannot be named in a step plan (letters, digits, _ and $)`);
    if (BUILT_IN_ACTIVITY_NAMES.includes(name)) {
      throw new UserActivitiesError(
        `${source}: "${name}" is one of Countersign's own activities; give yours another name`,
      );
    }
    // The SDK runs an activity named `default` for every activity type it does not know.
    if (name === 'default')
      throw new UserActivitiesError(`${source}: "default" would catch every unknown activity; give it a name`);
  }
  return activities as UserActivities;
}

/**
 * Loads the module at `modulePath` (relative to the working directory; a `.ts` module needs
 * tsx when Countersign runs compiled, see src/platform/user-module.ts). It provides its activities in
 * one of three ways, tried in this order: `export function createActivities(ctx)` (a factory,
 * possibly async, for activities that need configuration or clients), `export default { ... }`,
 * or the module's exported functions.
 */
export async function loadUserActivities(
  modulePath: string,
  ctx: UserActivitiesContext,
  loader?: UserModuleLoader,
): Promise<UserActivities> {
  const source = `COUNTERSIGN_ACTIVITIES_MODULE (${modulePath})`;
  const file = resolve(modulePath);
  let mod: Record<string, unknown>;
  try {
    mod = requireUserModule(file, loader) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TypeScriptModuleError) throw new UserActivitiesError(`${source}: ${err.message}`);
    const code = (err as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(file)) {
      throw new UserActivitiesError(`${source}: no such module`);
    }
    throw new UserActivitiesError(`${source}: failed to load: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof mod.createActivities === 'function') {
    const made: unknown = await (mod.createActivities as (c: UserActivitiesContext) => unknown)(ctx);
    if (!made || typeof made !== 'object')
      throw new UserActivitiesError(`${source}: createActivities must return an object of activities`);
    return checkUserActivities(made as Record<string, unknown>, source);
  }
  if (mod.default && typeof mod.default === 'object')
    return checkUserActivities(mod.default as Record<string, unknown>, source);
  const functions = Object.fromEntries(
    Object.entries(mod).filter(([name, v]) => typeof v === 'function' && name !== 'default'),
  );
  if (Object.keys(functions).length === 0) throw new UserActivitiesError(`${source}: exports no activities`);
  return checkUserActivities(functions, source);
}

/** Two sources of activities; one name given twice is a mistake, not an override. */
export function mergeUserActivities(a: UserActivities, b: UserActivities): UserActivities {
  const twice = Object.keys(a).filter((name) => name in b);
  if (twice.length) throw new UserActivitiesError(`activities given twice: ${twice.join(', ')}`);
  return { ...a, ...b };
}
