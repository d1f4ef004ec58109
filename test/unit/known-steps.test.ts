// Step names a plan may use: the built-in steps and the worker's own activities.
import { BUILT_IN_STEPS, unknownDefaultSteps, unknownSteps } from '../../src/api/known-steps';

const known = new Set<string>([...BUILT_IN_STEPS, 'updateCrm']);

it('names each unknown step of a registration plan with where it is', () => {
  expect(
    unknownSteps(
      { onSigned: ['downloadSignedDocument', { name: 'updateCrn' }], onExpired: ['notifyAplication'] },
      known,
    ),
  ).toEqual(['steps.onSigned.1: unknown step "updateCrn"', 'steps.onExpired.0: unknown step "notifyAplication"']);
  expect(unknownSteps({ onSigned: ['updateCrm', 'notifyApplication'] }, known)).toEqual([]);
  expect(unknownSteps(undefined, known)).toEqual([]);
});

it('names each unknown step of POST_SIGNING_STEPS with its provider or default', () => {
  expect(
    unknownDefaultSteps(
      { default: { onSigned: ['notifyApplication'] }, signhost: { onRejected: ['updateCrm', 'mailLegal'] } },
      known,
    ),
  ).toEqual(['signhost.onRejected.1: unknown step "mailLegal"']);
});
