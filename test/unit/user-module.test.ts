// How a user's module is loaded when Countersign runs compiled (no TypeScript loader around it).
import { loadUserActivities } from '../../src/activities/user-activities';
import { isTypeScriptModule, type UserModuleLoader } from '../../src/platform/user-module';
import { testConfig } from '../helpers/config';

const config = testConfig({}, 'q-user-module');
const compiledWithoutTsx: UserModuleLoader = { fromSource: false, tsxRequire: () => undefined };

it('tells TypeScript modules by their extension', () => {
  expect(['a.ts', 'a.cts', 'a.mts', 'dir/a.ts'].map(isTypeScriptModule)).toEqual([true, true, true, true]);
  expect(['a.js', 'a.cjs', 'a.d', 'ts', 'a.tsx.js'].map(isTypeScriptModule)).toEqual([
    false,
    false,
    false,
    false,
    false,
  ]);
});

it('loads a JavaScript module without any TypeScript loader', async () => {
  const activities = await loadUserActivities(
    'test/fixtures/user-activities/compiled.js',
    { config },
    compiledWithoutTsx,
  );
  expect(Object.keys(activities)).toEqual(['stampReceipt']);
  await expect(activities.stampReceipt({ step: 'stampReceipt', transaction: { status: 'signed' } })).resolves.toEqual({
    step: 'stampReceipt',
    status: 'signed',
  });
});

it('refuses a TypeScript module it cannot compile, saying what to do, before running any of it', async () => {
  // throws.ts throws when loaded: the refusal must come first.
  const err = await loadUserActivities('test/fixtures/user-activities/throws.ts', { config }, compiledWithoutTsx).catch(
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).name).toBe('UserActivitiesError');
  expect((err as Error).message).toMatch(
    /^COUNTERSIGN_ACTIVITIES_MODULE \(test\/fixtures\/user-activities\/throws\.ts\): is TypeScript/,
  );
  expect((err as Error).message).toContain('compile the module to JavaScript');
  expect((err as Error).message).not.toContain('CRM_URL');
});

it('reports a TypeScript path that names nothing as missing, not as TypeScript', async () => {
  const err = await loadUserActivities(
    'test/fixtures/user-activities/nowhere.ts',
    { config },
    compiledWithoutTsx,
  ).catch((e: Error) => e);
  expect((err as Error).message).toMatch(/nowhere\.ts\): no such module$/);
});

it('hands a TypeScript module to tsx when it is installed, and to nothing else', async () => {
  const asked: string[] = [];
  const loader: UserModuleLoader = {
    fromSource: false,
    tsxRequire: () => (id) => {
      asked.push(id);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- stands in for tsx's require, by path
      return require(id) as unknown;
    },
  };
  const activities = await loadUserActivities('test/fixtures/user-activities/named.ts', { config }, loader);
  expect(Object.keys(activities)).toEqual(['stampContract']);
  expect(asked).toEqual([expect.stringMatching(/\/test\/fixtures\/user-activities\/named\.ts$/)]);
  await loadUserActivities('test/fixtures/user-activities/compiled.js', { config }, loader);
  expect(asked).toHaveLength(1);
});
