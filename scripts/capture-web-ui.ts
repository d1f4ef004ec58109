// `npm run docs:screenshots`: retakes the Web UI pictures of the README (docs/images/). Starts a
// Countersign of its own the way `npm run demo` does (embedded dev server, codec server,
// simulators, all on free loopback ports, its data in a temporary folder), plays the demo's
// transactions plus a few that stay open or expire, then drives a headless Chromium through
// the embedded Web UI as an operator would, and stops everything it started.
// Needs Chromium: CHROMIUM_PATH, else /usr/bin/chromium (Debian: apt-get install chromium).
// Not part of `npm test`: it needs a browser and writes into docs/.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { portOrFree, startStandalone, type DemoEnvironment } from '../src/demo/environment';
import { runScenarios } from '../src/demo/run-scenarios';
import { scenariosOf, type Scenario } from '../src/demo/scenarios';
import { demoProviders } from '../src/simulators/demo-providers';

const IMAGES = resolve(__dirname, '..', 'docs', 'images');
const LIST_PNG = join(IMAGES, 'web-ui-list.png');
const WORKFLOW_PNG = join(IMAGES, 'web-ui-workflow.png');
const VIEWPORT = { width: 1280, height: 800 };
/** The filter of the documented saved view: transactions only, no late-callback records. */
const TRANSACTIONS_QUERY = 'WorkflowType IN ("signingWorkflow", "registeredMailWorkflow")';
/** Columns as an operator sets them with the list's column picker. */
const COLUMNS = ['Status', 'SigningStatus', 'SigningDeadline', 'SigningProvider', 'Workflow ID'];
const SAVED_VIEW = 'Transactions';

/** What the page's buttons and links are, for a click made in the page. */
interface Clickable {
  click(): void;
}

class CaptureError extends Error {
  override name = 'CaptureError';
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');

/** Beside the demo's ten (which end signed, rejected, delivered, opened): rows that show a deadline at work. */
function openAndExpiring(): Scenario[] {
  const evrotrust = async (ctx: Parameters<Scenario['run']>[0], suffix: string) => {
    const transactionID = ctx.id(suffix);
    await ctx.simulator('evrotrust', '/transactions', {
      transactionID,
      urlCallback: `${ctx.endpoints.countersign}/callbacks/evrotrust`,
    });
    return transactionID;
  };
  return [
    {
      provider: 'evrotrust',
      kind: 'signing',
      title: 'waiting, due in 5 days',
      expect: { status: 'pending', source: 'callback' },
      async run(ctx) {
        const transactionID = await evrotrust(ctx, 'evrotrust-waiting');
        await ctx.register({
          provider: 'evrotrust',
          externalId: transactionID,
          reference: 'order-1003',
          deadline: inDays(5),
        });
        await ctx.beat();
        await ctx.simulator('evrotrust', `/transactions/${transactionID}/status`, { status: 1 });
      },
    },
    {
      provider: 'signhost',
      kind: 'signing',
      title: 'opened, due in 2 days',
      expect: { status: 'in_progress', source: 'callback' },
      async run(ctx) {
        const Id = ctx.id('signhost-open');
        await ctx.simulator('signhost', '/transactions', { Id, Reference: 'order-2003' });
        await ctx.register({ provider: 'signhost', externalId: Id, reference: 'order-2003', deadline: inDays(2) });
        await ctx.beat();
        await ctx.simulator('signhost', `/transactions/${Id}/status`, { status: 20 });
      },
    },
    {
      provider: 'evrotrust',
      kind: 'signing',
      title: 'never signed, deadline passes',
      expect: { status: 'expired', source: 'application' },
      async run(ctx) {
        const transactionID = await evrotrust(ctx, 'evrotrust-expired');
        // A few seconds: the deadline passes while the capture waits.
        await ctx.register({
          provider: 'evrotrust',
          externalId: transactionID,
          reference: 'order-1004',
          deadline: new Date(Date.now() + 8_000).toISOString(),
        });
      },
    },
  ];
}

function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path))
    throw new CaptureError(
      `no Chromium at ${path}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH`,
    );
  return path;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds; the picture would otherwise show a page still loading. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new CaptureError(`gave up waiting for ${what}`);
    await sleep(500);
  }
}

/** A button by its test id, clicked in the page (the drawer slides in: a mouse click may land early). */
async function press(page: Page, testId: string): Promise<void> {
  const button = await page.waitForSelector(`[data-testid="${testId}"]`, { timeout: 15_000 });
  await button!.evaluate((b) => (b as unknown as Clickable).click());
  await sleep(150);
}

async function pressByText(page: Page, text: string): Promise<void> {
  const [button] = await page.$$(`xpath/.//button[normalize-space(.)="${text}" and not(@disabled)]`);
  if (!button) throw new CaptureError(`no "${text}" button on ${page.url()}`);
  await button.evaluate((b) => (b as unknown as Clickable).click());
  await sleep(300);
}

/** The columns "in view" in the column picker, in their order. */
function columnsInView(page: Page): Promise<string[]> {
  return page.$$eval('#workflows-table-configuration-drawer ol', ([inView]) =>
    [...(inView?.querySelectorAll('li[data-testid^="orderable-list-item-"]') ?? [])].map((li) =>
      li.getAttribute('data-testid')!.replace('orderable-list-item-', ''),
    ),
  );
}

/** What an operator does once: pick the columns, then save the filter as a view. */
async function configureList(page: Page, listUrl: string): Promise<void> {
  await page.goto(listUrl, { waitUntil: 'networkidle0' });
  await press(page, 'workflows-summary-table-configuration-button');
  for (const label of await columnsInView(page)) {
    if (!COLUMNS.includes(label)) await press(page, `orderable-list-item-${label}-remove-button`);
  }
  for (const label of COLUMNS) {
    if (!(await columnsInView(page)).includes(label)) await press(page, `orderable-list-item-${label}-add-button`);
  }
  for (const [index, label] of COLUMNS.entries()) {
    while ((await columnsInView(page)).indexOf(label) > index)
      await press(page, `orderable-list-item-${label}-move-up-button`);
  }
  const inView = await columnsInView(page);
  if (inView.join() !== COLUMNS.join())
    throw new CaptureError(`the column picker shows ${inView.join(', ')}, not ${COLUMNS.join(', ')}`);
  await press(page, 'drawer-close-button');
  await press(page, 'table-density-button');
  await pressByText(page, 'Save as New');
  await page.type('[data-testid="workflow-save-view-modal-input"]', SAVED_VIEW);
  await pressByText(page, 'Save');
}

/** Cells of one column, read from the table the way it is drawn. */
async function columnCells(page: Page, header: string): Promise<string[]> {
  const headers = await page.$$eval('table thead th', (ths) => ths.map((th) => th.textContent?.trim() ?? ''));
  const at = headers.indexOf(header);
  if (at < 0) return [];
  return page.$$eval(
    'table tbody tr',
    (trs, i) => trs.map((tr) => tr.querySelectorAll('td')[i]?.textContent?.trim() ?? ''),
    at,
  );
}

async function captureList(page: Page, listUrl: string, rows: number): Promise<void> {
  await configureList(page, listUrl);
  await page.goto(listUrl, { waitUntil: 'networkidle0' });
  await until('every row with a status and a deadline', async () => {
    const [statuses, deadlines] = [
      await columnCells(page, 'SigningStatus'),
      await columnCells(page, 'SigningDeadline'),
    ];
    return statuses.length === rows && statuses.every(Boolean) && deadlines.every(Boolean);
  });
  await page.screenshot({ path: LIST_PNG });
}

async function captureWorkflow(
  page: Page,
  uiUrl: string,
  namespace: string,
  workflowId: string,
  summary: string,
): Promise<void> {
  await page.goto(
    `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(`WorkflowId="${workflowId}"`)}`,
    { waitUntil: 'networkidle0' },
  );
  // Opened from its row, as an operator would; then its User Metadata tab.
  const [row] = await page.$$(`xpath/.//a[contains(@href, "/workflows/${encodeURIComponent(workflowId)}/")]`);
  if (!row) throw new CaptureError(`no row for ${workflowId} in the list`);
  await row.evaluate((a) => (a as unknown as Clickable).click());
  await until('the workflow page', async () => page.url().includes(encodeURIComponent(workflowId)));
  const tab = await page.waitForSelector('xpath/.//a[@role="tab" and normalize-space(.)="User Metadata"]', {
    timeout: 30_000,
  });
  await tab!.evaluate((a) => (a as unknown as Clickable).click());
  // Cleartext here means the codec server decoded it: Temporal holds only ciphertext. The UI
  // draws each markdown box in a frame of its own.
  await until('the decoded summary and current details', async () => {
    const texts: string[] = await Promise.all(
      page.frames().map((frame) => frame.$eval('body', (body) => body.textContent ?? '').catch(() => '')),
    );
    return texts.some((text) => text.includes(summary)) && texts.some((text) => /^\s*pending\b/.test(text));
  });
  if (!(await page.$('[data-testid="data-encoder-status-success"]')))
    throw new CaptureError('the Web UI does not report the codec server as working');
  // Taller than the list: the details box ends below the fold at 800 pixels.
  await page.setViewport({ ...VIEWPORT, height: 900 });
  await sleep(500);
  await page.screenshot({ path: WORKFLOW_PNG });
}

async function main(): Promise<void> {
  const executablePath = chromiumPath();
  const dataDir = mkdtempSync(join(tmpdir(), 'countersign-shots-'));
  let demo: DemoEnvironment | undefined;
  let browser: Browser | undefined;
  let connection: Connection | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await browser?.close();
      await connection?.close();
      await demo?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    })());
  // Ctrl-C mid-way still stops the dev server, the browser and the simulators it started.
  const onSignal = () => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // Free ports, never the usual ones: an `npm start` or demo may be running beside.
    const temporalPort = await portOrFree(0);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      COUNTERSIGN_URL: undefined,
      DEMO_DATA_DIR: dataDir,
      PORT: String(await portOrFree(0)),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(await portOrFree(0)),
      // Finished transactions close soon, so the list shows both closed and open ones.
      LINGER_AFTER_FINAL: '5s',
    };
    const providers = demoProviders();
    demo = await startStandalone(env, providers, log);
    const uiUrl = demo.uiUrl;
    if (!uiUrl) throw new CaptureError('the embedded dev server reported no Web UI address');
    log(`Web UI ${uiUrl}; playing the transactions...`);
    const runId = `demo-${Date.now().toString(36)}`;
    const scenarios = [...scenariosOf(providers), ...openAndExpiring()];
    const { results } = await runScenarios({
      endpoints: demo.endpoints,
      scenarios,
      output: { write: (text) => process.stdout.write(text), isTTY: false, columns: 120, rows: 0 },
      runId,
      beatMs: 300,
      timeoutMs: 90_000,
    });
    const failed = results.filter((r) => !r.ok);
    if (failed.length)
      throw new CaptureError(
        `${failed.length} transactions did not end as expected: ${failed.map((r) => `${r.scenario.title} (${r.error ?? r.state?.status})`).join('; ')}`,
      );

    const open = results.filter(
      (r) => r.scenario.expect.status === 'pending' || r.scenario.expect.status === 'in_progress',
    );
    connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    const client = new Client({ connection, namespace: demo.namespace });
    await until(
      'the finished transactions to close',
      async () =>
        (await client.workflow.count(`ExecutionStatus = "Running" AND ${TRANSACTIONS_QUERY}`)).count === open.length,
    );

    // Chromium refuses its sandbox to root (a container, CI); elsewhere it keeps it.
    const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
    browser = await puppeteer.launch({ executablePath, args, defaultViewport: VIEWPORT });
    const page = await browser.newPage();
    mkdirSync(IMAGES, { recursive: true });
    const listUrl = `${uiUrl}/namespaces/${encodeURIComponent(demo.namespace)}/workflows?query=${encodeURIComponent(TRANSACTIONS_QUERY)}`;
    await captureList(page, listUrl, scenarios.length);
    const shown = open.find((r) => r.scenario.expect.status === 'pending')!;
    await captureWorkflow(
      page,
      uiUrl,
      demo.namespace,
      shown.workflowId!,
      `${shown.scenario.provider} signing ${shown.state!.externalId}`,
    );
    for (const file of [LIST_PNG, WORKFLOW_PNG]) {
      const kb = Math.round(statSync(file).size / 1024);
      log(`${file}: ${kb} KB${kb > 300 ? ' (over 300 KB: keep README pictures small)' : ''}`);
    }
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.name}: ${err.message}\n`);
    process.exit(1);
  },
);
