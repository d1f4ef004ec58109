import {
  checkUserActivities,
  loadUserActivities,
  mergeUserActivities,
  UserActivitiesError,
} from '../../src/activities/user-activities';
import { testConfig } from '../helpers/config';

const config = testConfig({}, 'q-user');
const fixture = (name: string) => `test/fixtures/user-activities/${name}.ts`;

async function loadError(name: string): Promise<Error> {
  return loadUserActivities(fixture(name), { config }).then(
    () => {
      throw new Error('expected the module to be refused');
    },
    (err: Error) => err,
  );
}

describe('loading COUNTERSIGN_ACTIVITIES_MODULE', () => {
  it('calls createActivities with the configuration', async () => {
    const activities = await loadUserActivities(fixture('factory'), { config });
    expect(Object.keys(activities)).toEqual(['recordOutcome']);
    await expect(
      activities.recordOutcome({ step: 'recordOutcome', transaction: { status: 'signed', reference: 'r' } }),
    ).resolves.toEqual({
      step: 'recordOutcome',
      status: 'signed',
      reference: 'r',
      taskQueue: 'q-user',
    });
  });

  it('takes the exported functions, and only functions, when there is no factory', async () => {
    expect(Object.keys(await loadUserActivities(fixture('named'), { config }))).toEqual(['stampContract']);
  });

  it('takes a default-exported object', async () => {
    expect(Object.keys(await loadUserActivities(fixture('default-object'), { config }))).toEqual(['archiveRecord']);
  });

  it.each([
    ['does-not-exist', /COUNTERSIGN_ACTIVITIES_MODULE .*does-not-exist.*: no such module/],
    ['throws', /failed to load: CRM_URL is not set/],
    ['no-activities', /exports no activities/],
    ['bad-name', /"archive-record" cannot be named in a step plan/],
    ['taken-name', /"notifyApplication" is one of Countersign's own activities/],
  ])('refuses %s with a message naming the variable', async (name, message) => {
    const err = await loadError(name);
    expect(err.name).toBe('UserActivitiesError');
    expect(err.message).toMatch(/^COUNTERSIGN_ACTIVITIES_MODULE/);
    expect(err.message).toMatch(message);
  });
});

describe('activities given in code', () => {
  it.each([
    ['the engine’s followUp', { followUp: async () => undefined }],
    ['a built-in step', { downloadSignedDocument: async () => undefined }],
    ['a value that is not a function', { archive: 'not a function' }],
    ['the SDK’s catch-all name', { default: async () => undefined }],
  ])('refuses %s', (_label, activities) => {
    expect(() => checkUserActivities(activities, 'test')).toThrow(UserActivitiesError);
  });

  it('refuses one name from two sources', () => {
    const a = { archive: async () => 1 };
    expect(() => mergeUserActivities(a, { archive: async () => 2 })).toThrow(/given twice: archive/);
    expect(Object.keys(mergeUserActivities(a, { notify: async () => 2 }))).toEqual(['archive', 'notify']);
  });
});
