// Every provider module, built-in or the operator's own, through the one conformance suite
// (test/conformance/provider-conformance.ts). Its sample payloads are checked there too.
import { providerConformance } from '../conformance/provider-conformance';
import { SUBJECTS } from '../conformance/subjects';

describe.each(SUBJECTS.map((s) => [s.module.name, s] as const))('%s conformance', (_name, subject) => {
  providerConformance(subject);
});
