// The traffic shapes of `npm run bench:history`, each on one transaction, sent through the
// receivers over HTTP as the providers would send them.
import { signhostChecksum } from '../src/providers/signhost';
import { inParallel } from '../test/helpers/runs';
import { BENCH_CREDENTIALS } from './callbacks';

export interface Sent {
  callbacks: number;
  accepted: number;
  /** Answers other than 2xx, by status, so a refusal shows up in the results. */
  refused: Record<string, number>;
}

type Progress = (line: string) => void;

class Tally {
  sent: Sent = { callbacks: 0, accepted: 0, refused: {} };
  count(status: number) {
    this.sent.callbacks++;
    if (status >= 200 && status < 300) this.sent.accepted++;
    else this.sent.refused[status] = (this.sent.refused[status] ?? 0) + 1;
  }
}

async function post(url: string, body: unknown): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Registers a transaction as the application would, and returns its workflow id. */
export async function register(baseUrl: string, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${baseUrl}/transactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { workflowId?: string };
  if (res.status !== 201 || !json.workflowId)
    throw new Error(`registering ${JSON.stringify(body)} answered ${res.status}`);
  return json.workflowId;
}

/** Prints a line at every tenth of the way. */
function every10(total: number, label: string, progress: Progress) {
  const step = Math.max(1, Math.ceil(total / 10));
  return (done: number) => {
    if (done % step === 0 || done === total) progress(`${label}: ${done}/${total}`);
  };
}

/** (a) `duplicates` copies of one Evrotrust callback, 16 at a time, then the final one. */
export async function duplicateEvrotrust(
  baseUrl: string,
  externalId: string,
  duplicates: number,
  progress: Progress,
): Promise<Sent> {
  const tally = new Tally();
  const url = `${baseUrl}/callbacks/evrotrust/document/ready`;
  const tick = every10(duplicates, 'duplicates sent', progress);
  let done = 0;
  await inParallel(Array.from({ length: duplicates }), 16, async () => {
    tally.count(await post(url, { transactionID: externalId, status: 1 }));
    tick(++done);
  });
  tally.count(await post(url, { transactionID: externalId, status: 2 }));
  return tally.sent;
}

const signhostBody = (id: string, status: number, signers: Array<{ Id: string; Activities: unknown[] }>) => ({
  Id: id,
  Status: status,
  Signers: signers,
  Checksum: signhostChecksum(id, status, BENCH_CREDENTIALS.SIGNHOST_SHARED_SECRET),
});

/** (b) Postbacks that each repeat every earlier activity and add one, in order, then status 30. */
export async function cumulativeSignhost(
  baseUrl: string,
  externalId: string,
  postbacks: number,
  progress: Progress,
): Promise<Sent> {
  const tally = new Tally();
  const url = `${baseUrl}/callbacks/signhost`;
  const tick = every10(postbacks, 'cumulative postbacks sent', progress);
  const activities: unknown[] = [];
  for (let n = 0; n < postbacks; n++) {
    activities.push({ Id: `activity-${n}`, Code: 103, Activity: 'Opened', CreatedDateTime: '2026-01-01T00:00:00Z' });
    tally.count(await post(url, signhostBody(externalId, 20, [{ Id: 'signer-1', Activities: activities }])));
    tick(n + 1);
  }
  tally.count(await post(url, signhostBody(externalId, 30, [{ Id: 'signer-1', Activities: activities }])));
  return tally.sent;
}

const long = (prefix: string, length: number) => (prefix + 'x'.repeat(length)).slice(0, length);

/** A Signhost activity with every field the engine reads at its longest accepted length. */
function maxActivity(n: number) {
  return {
    Id: long(`act-${n}-`, 200),
    Code: 105,
    Activity: long('DocumentOpened', 200),
    Info: long(`file-${n}-`, 1000),
    CreatedDateTime: long('2026-01-01T00:00:00.0000000+02:00', 100),
  };
}

/** (c) `activities` distinct activities at maximum field length, `perPostback` a postback, then status 30. */
export async function distinctSignhost(
  baseUrl: string,
  externalId: string,
  activities: number,
  perPostback: number,
  progress: Progress,
): Promise<Sent> {
  const tally = new Tally();
  const url = `${baseUrl}/callbacks/signhost`;
  const signerId = long('signer-', 200);
  const batches = Math.ceil(activities / perPostback);
  const tick = every10(batches, 'postbacks of distinct activities sent', progress);
  for (let b = 0; b < batches; b++) {
    const batch = Array.from({ length: Math.min(perPostback, activities - b * perPostback) }, (_, i) =>
      maxActivity(b * perPostback + i),
    );
    tally.count(await post(url, signhostBody(externalId, 20, [{ Id: signerId, Activities: batch }])));
    tick(b + 1);
  }
  tally.count(await post(url, signhostBody(externalId, 30, [{ Id: signerId, Activities: [] }])));
  return tally.sent;
}
