// What the soak sends: transactions of every provider, each a few callbacks (progress, the
// final one), some duplicated, all shuffled by random delays, with the application's
// registration before, in between, or (for providers that authenticate) never; and bursts of
// garbage that must change nothing.
import type { ProviderSpec, CallbackMessage } from '../helpers/provider-specs';
import { registration, SECRETS, SPECS, workflowIdOf } from '../helpers/provider-specs';
import type { RawRequest } from '../helpers/http';

export interface Delivery {
  kind: 'callback' | 'register';
  spec: ProviderSpec;
  workflowId: string;
  request: RawRequest;
  /** The callback as sent (for its event keys). */
  message?: CallbackMessage;
  due: number;
  attempts: number;
  lastStatus?: number | 'error';
}

const json = (m: CallbackMessage): RawRequest => ({
  path: m.path,
  headers: { 'content-type': 'application/json', ...m.headers },
  body: JSON.stringify(m.body),
});
const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)];
const within = (ms: number) => Math.floor(Math.random() * ms);

let counter = 0;

/** One transaction's deliveries, due from `now` on, in no particular order. */
export function transactionPlan(now: number): Delivery[] {
  const spec = pick(SPECS);
  const externalId = `soak-${Date.now().toString(36)}-${++counter}`;
  const workflowId = workflowIdOf(spec, externalId);
  const messages = [spec.progress(externalId, 1), spec.progress(externalId, 2), spec.valid(externalId)];
  const deliveries: Delivery[] = [];
  for (const message of messages) {
    const copies = Math.random() < 0.25 ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      deliveries.push({
        kind: 'callback',
        spec,
        workflowId,
        request: json(message),
        message,
        due: now + within(3_000),
        attempts: 0,
      });
    }
  }
  // Evrotrust callbacks only reach registered transactions (404 until then, and Evrotrust
  // retries): registered first mostly, sometimes late. Others may also never be registered.
  const roll = Math.random();
  const when = roll < 0.6 ? now - 1 : spec.authenticated && roll > 0.85 ? undefined : now + within(3_000);
  if (when !== undefined) {
    deliveries.push({
      kind: 'register',
      spec,
      workflowId,
      request: {
        path: '/transactions',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.COUNTERSIGN_API_TOKEN}` },
        body: JSON.stringify(registration(spec, externalId)),
      },
      due: when,
      attempts: 0,
    });
  }
  return deliveries;
}

/** A broken callback about a transaction that exists: it must be refused and change nothing. */
export function garbage(target: { spec: ProviderSpec; externalId: string }): RawRequest {
  const m = target.spec.valid(target.externalId);
  const ok = json(m);
  const breakers: Array<() => RawRequest> = [
    () => ({ ...ok, body: String(ok.body).slice(0, -3) }),
    () => ({ ...ok, headers: { ...ok.headers, 'content-type': 'text/plain' } }),
    () => ({ ...ok, body: JSON.stringify({ ...m.body, [target.spec.statusField]: { nested: [[[]]] } }) }),
    () => ({ ...ok, body: JSON.stringify({ ...m.body, [target.spec.idField]: undefined }) }),
    () => ({ ...ok, body: '['.repeat(3_000) + ']'.repeat(3_000) }),
    () => ({
      ...ok,
      body: JSON.stringify({
        __proto__: null,
        constructor: { prototype: {} },
        ...m.body,
        [target.spec.statusField]: null,
      }),
    }),
  ];
  if (target.spec.credentialHeaders.length > 0) {
    breakers.push(() => ({ ...ok, headers: { ...ok.headers, [target.spec.credentialHeaders[0]]: 'forged' } }));
  }
  if (target.spec.provider === 'signhost')
    breakers.push(() => ({ ...ok, body: JSON.stringify({ ...m.body, Checksum: '0'.repeat(40) }) }));
  return pick(breakers)();
}
