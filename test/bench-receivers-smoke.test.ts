// `npm run bench:receivers` at a tiny size, as a user runs it: its own dev server, the
// receivers in their own process, real callbacks and signals. No timing assertions: only that
// it measures every part and writes its report.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ReceiversPathRun } from '../bench/receivers-path';

describe('bench:receivers (smoke size)', () => {
  const out = mkdtempSync(join(tmpdir(), 'countersign-bench-receivers-'));
  let stdout = '';
  beforeAll(async () => {
    const run = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '..', 'bench', 'receivers-path.ts')],
      {
        env: { ...process.env, BENCH_ROUNDS: '1', BENCH_CALLBACKS: '40', BENCH_CONCURRENCY: '4', BENCH_OUT: out },
        timeout: 240_000,
      },
    );
    stdout = run.stdout;
  }, 300_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('prints its progress and writes a report with every measure', () => {
    expect(stdout).toMatch(/round 1 receivers: \d+\/40 accepted/);
    expect(stdout).toMatch(/round 1 raw: \d+\/40 accepted/);
    const report = readFileSync(join(out, 'RECEIVERS-PATH.md'), 'utf8');
    for (const row of [
      'receivers process',
      'the Temporal call itself',
      'receivers beyond the Temporal call',
      "the sender's HTTP client",
      'receivers / raw',
    ])
      expect(report).toContain(row);
  });

  it('gets the callbacks accepted both ways and measures each process', () => {
    const { runs } = JSON.parse(readFileSync(join(out, 'receivers-path.json'), 'utf8')) as { runs: ReceiversPathRun[] };
    expect(runs.map((r) => r.via).sort()).toEqual(['raw', 'receivers']);
    for (const r of runs) {
      expect(r.callbacks).toBe(40);
      // On a starved CI machine a rare callback may time out (503); never more.
      expect(r.ok).toBeGreaterThanOrEqual(38);
      for (const v of [r.perSec, r.senderCpu, r.serverCpu, r.receiversCpu]) expect(Number.isFinite(v)).toBe(true);
      expect(r.serverCpu).toBeGreaterThan(0);
      expect(r.senderCpu).toBeGreaterThan(0);
    }
    // The receivers' process does the work only in the receivers run.
    const receivers = runs.find((r) => r.via === 'receivers')!;
    expect(receivers.receiversCpu).toBeGreaterThan(0);
  });
});
