// The provider conformance suite's socket part (test/conformance/provider-conformance-http.ts)
// over the same list as its unit part: the callback pipeline's refusals and each follow-up
// against a live API. No Temporal server: nothing here may reach delivery.
import { providerConformanceOverHttp } from '../conformance/provider-conformance-http';
import { SUBJECTS } from '../conformance/subjects';

describe.each(SUBJECTS.map((s) => [s.module.name, s] as const))('%s conformance over HTTP', (_name, subject) => {
  providerConformanceOverHttp(subject);
});
