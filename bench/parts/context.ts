// What every part gets from the run: where to write, the workflow bundle built once, and the
// Temporal to measure on (a fresh dev server per part, so one part's history does not weigh on
// the next, or the cluster the environment names).
import { join } from 'node:path';
import { devServer, givenCluster, startSetup, type Setup, type Temporal } from '../harness/setup';

export interface Context {
  work: string;
  bundlePath: string;
  say: (line: string) => void;
}

export const temporalFor = (ctx: Context, name: string): Promise<Temporal> =>
  Promise.resolve(givenCluster() ?? devServer(join(ctx.work, name, 'temporal')));

export async function setupFor(
  ctx: Context,
  name: string,
  extra: Partial<Parameters<typeof startSetup>[0]> = {},
): Promise<Setup> {
  return startSetup({
    temporal: await temporalFor(ctx, name),
    dir: join(ctx.work, name),
    bundlePath: ctx.bundlePath,
    onProgress: (line) => ctx.say(`  ${line}`),
    ...extra,
  });
}
