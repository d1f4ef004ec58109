// `npm run demo`: transactions at every provider with a demo (COUNTERSIGN_PROVIDER_MODULES
// included), played against their simulators through their whole life, watched in a live
// table, then left running for the Web UI.
//   --exit        stop once every scenario has ended (exit code 1 if one did not as expected)
//   --attach      use the Countersign already running (COUNTERSIGN_URL, or PORT) instead of
//                 starting one of its own; its transactions then land in that instance
// Environment: PORT, TEMPORAL_PORT, TEMPORAL_UI_PORT, <PREFIX>_SIMULATOR_PORT (free ports when
// unset and the usual ones are taken), DEMO_DATA_DIR (default .data/demo),
// DEMO_BEAT_MS (pause between a scenario's steps), DEMO_TIMEOUT_MS.
import { ConfigError } from '../config';
import { PortTakenError } from '../platform/port-check';
import { labelOf } from '../providers/module';
import { providerRegistryFrom } from '../providers/registry';
import { demoProviders, type DemoProvider } from '../simulators/demo-providers';
import { attach, DemoBusyError, runningCountersign, startStandalone, type DemoEnvironment } from './environment';
import { runScenarios } from './run-scenarios';
import { scenariosOf } from './scenarios';

const out = process.stdout;
const tty = Boolean(out.isTTY) && !process.env.NO_COLOR;
const write = (text: string) => out.write(text);
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);

/** A whole number of milliseconds from the environment. */
function millis(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new ConfigError(`${name}: expected milliseconds, got ${JSON.stringify(raw)}`);
  return value;
}

function block(title: string, lines: Array<[string, string]>): string {
  const width = Math.max(...lines.map(([k]) => k.length));
  return `${bold(title)}\n${lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

/** Web UI links with a visibility query already in place. */
function webUiLinks(env: DemoEnvironment, runId: string, providers: readonly DemoProvider[]): Array<[string, string]> {
  const list = (query: string) =>
    `${env.uiUrl}/namespaces/${encodeURIComponent(env.namespace)}/workflows?query=${encodeURIComponent(query)}`;
  return [
    ['this run', list(`SigningExternalId STARTS_WITH "${runId}"`)],
    ...providers.map(({ module }): [string, string] => [labelOf(module), list(`SigningProvider="${module.name}"`)]),
    ['rejected', list('SigningStatus="rejected"')],
    ['registered mail', list('WorkflowType="registeredMailWorkflow"')],
  ];
}

/** "A, B and C". */
function listed(words: string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

async function main(argv: string[]): Promise<number> {
  const exitWhenDone = argv.includes('--exit');
  const env = process.env;
  const runId = `demo-${Date.now().toString(36)}`;
  const beatMs = millis('DEMO_BEAT_MS', 1500);
  const timeoutMs = millis('DEMO_TIMEOUT_MS', 60_000);
  const registry = providerRegistryFrom(env);
  const providers = demoProviders(registry);
  const scenarios = scenariosOf(providers);
  const existing = await runningCountersign(env);
  const attaching = argv.includes('--attach');
  if (attaching && !existing) {
    throw new ConfigError(
      `--attach: no Countersign answers at ${env.COUNTERSIGN_URL ?? `http://127.0.0.1:${env.PORT ?? 3000}`}; start one (npm start), set COUNTERSIGN_URL to it, or drop --attach`,
    );
  }
  write(
    `${bold('Countersign demo')}: ${scenarios.length} transactions at ${listed(providers.map((p) => labelOf(p.module)))}, played by simulators.\n`,
  );
  if (existing && !attaching)
    write(
      `A Countersign answers at ${existing}; the demo leaves it alone and runs its own (--attach would use that one).\n`,
    );
  const demo =
    attaching && existing
      ? await attach(existing, env, providers)
      : await startStandalone(env, providers, (line) => write(`${line}\n`));

  let stopping: Promise<void> | undefined;
  let exitCode = 0;
  const stop = () => (stopping ??= demo.stop());
  // Under `npm run` a Ctrl-C arrives twice (the terminal's, and npm's forwarded one).
  const onSignal = () => {
    if (stopping) return;
    write('\nStopping the demo...\n');
    void stop().then(() => {
      write('Stopped.\n');
      process.exit(exitCode);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  write(`\n${block('Running', demo.describe)}\n`);
  const { results, table } = await runScenarios({
    endpoints: demo.endpoints,
    scenarios,
    registry,
    // Read at each redraw: the terminal may be resized meanwhile.
    output: {
      write,
      isTTY: tty,
      get columns() {
        return out.columns;
      },
      get rows() {
        return out.rows;
      },
    },
    runId,
    beatMs,
    timeoutMs,
  });

  const failed = results.filter((r) => !r.ok);
  const headline = failed.length
    ? `${failed.length} of ${results.length} transactions did not end as expected (${table.elapsed()}):`
    : `All ${results.length} transactions ended as expected, in ${table.elapsed()}${tty ? '.' : ':'}`;
  write(`\n${bold(headline)}\n`);
  // On a terminal the live table above already shows how each ended.
  if (!tty || failed.length) write(table.summary());
  if (demo.uiUrl) {
    write(`\n${block(`See them in the Temporal Web UI, ${demo.uiUrl}`, webUiLinks(demo, runId, providers))}`);
    write('  Open one: its History has a signal per event (statusReported, signerAction,\n');
    write('  signed, ...) and a followUp activity per poll or Notify; Queries → state holds\n');
    write('  the whole state; the User Metadata tab says what it is and what it waits for.\n');
    write('  Each closes a while after its final status.\n');
  }
  exitCode = failed.length ? 1 : 0;
  if (exitWhenDone) {
    write('\n--exit: stopping now. Without --exit the demo keeps running for you to look.\n');
    await stop();
    return exitCode;
  }
  write(
    `\n${bold('Ctrl-C')} stops the demo${demo.standalone ? ', its Countersign and Temporal (the data stays in place)' : ''}.\n`,
  );
  return new Promise<number>(() => undefined);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    const plain = err instanceof ConfigError || err instanceof DemoBusyError || err instanceof PortTakenError;
    process.stderr.write(`${plain ? err.message : `demo failed: ${err.message}`}\n`);
    process.exit(1);
  },
);
