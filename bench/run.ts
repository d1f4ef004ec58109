// `npm run bench`: one measured run on this machine, written to bench/results/.
// BENCH_SIZE=smoke for a seconds-long run, BENCH_SCALE=100000 for the big scale run,
// BENCH_OUT=<dir> to write elsewhere, BENCH_KEEP=1 to keep the temp dir (logs, SQLite),
// BENCH_OPTIONS=<json> to override single sizes (see options.ts); `--cluster` (or
// BENCH_CLUSTER=1) adds the cluster column: the closed loop on a dev server and on the native
// cluster of `npm run cluster`, one run, alternating order.
import { resolve } from 'node:path';
import { runBench } from './bench';
import { benchOptions } from './options';
import { writeResults } from './report';

async function main() {
  const outDir = resolve(process.env.BENCH_OUT ?? resolve(__dirname, 'results'));
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--cluster');
  if (unknown.length) throw new Error(`unknown argument ${unknown.join(' ')} (npm run bench [-- --cluster])`);
  const env = args.includes('--cluster') ? { ...process.env, BENCH_CLUSTER: '1' } : process.env;
  const opts = benchOptions(env, outDir, (line) => process.stdout.write(`${line}\n`));
  const results = await runBench(opts);
  const files = writeResults(outDir, results);
  // The report is written either way; a failed part still fails the command.
  if (results.failures.length) process.exitCode = 1;
  process.stdout.write(
    `\n${results.goals.map((g) => `${g.met === null ? 'n/a ' : g.met ? 'met ' : 'MISS'}  ${g.goal}: ${g.measured}`).join('\n')}\nratio: ${results.ingestion ? results.ingestion.ratio.toFixed(2) : 'not measured'}\n\nWrote:\n${files.map((f) => `  ${f}`).join('\n')}\n`,
  );
}

main().catch((err) => {
  console.error('bench failed:', err);
  process.exit(1);
});
