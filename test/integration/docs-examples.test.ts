// Every shell example the README and docs/ mark as runnable, run as printed (curl in bash)
// against a whole Countersign: real dev server, worker and HTTP on loopback. What the docs say
// each command answers is what it must answer.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { testConfig } from '../helpers/config';
import { docBlocks, runBlock, type DocBlock } from '../helpers/doc-examples';
import { startStack, type Stack } from '../helpers/stack';
import { freeFixedWorkflowId, startDevServerEnv } from '../helpers/temporal';

const ROOT = join(__dirname, '..', '..');
const markdownIn = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(dir, f));
const files = ['README.md', ...markdownIn('docs'), ...markdownIn(join('docs', 'providers'))];
const blocks: DocBlock[] = files.flatMap((f) => docBlocks(join(ROOT, f)).map((b) => ({ ...b, file: f })));

// The Signhost examples compute their checksum with this secret: setting it proves they are right.
const config = testConfig({ SIGNHOST_SHARED_SECRET: 'change-me' });

let env: TestWorkflowEnvironment;
let stack: Stack;

/** The transactions the examples register: each registration's documented answer names it. */
const registeredIn = (block: DocBlock): string[] =>
  block.expectations.flatMap((e) =>
    typeof e.body === 'object' && typeof e.body.workflowId === 'string' ? [e.body.workflowId] : [],
  );

beforeAll(async () => {
  env = await startDevServerEnv();
  stack = await startStack(env, config);
  // A cluster kept between test runs still has the last run's transactions under these ids.
  const ids = new Set(blocks.flatMap(registeredIn));
  for (const id of ids) await freeFixedWorkflowId(env.client, id);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

it('finds the examples: one per provider in the README at least', () => {
  const readme = blocks.filter((b) => b.file === 'README.md');
  expect(readme.length).toBeGreaterThanOrEqual(4);
  for (const provider of ['evrotrust', 'signhost', 'signicat', 'portal-de-assinaturas']) {
    expect(readme.some((b) => b.script.includes(`/callbacks/${provider}`))).toBe(true);
  }
  for (const b of blocks) expect(b.expectations.length).toBeGreaterThan(0);
  // The ids freed before the run, the README's first transactions and a registered mail among them.
  expect(blocks.flatMap(registeredIn)).toEqual(
    expect.arrayContaining([
      'signing:evrotrust:tx-1',
      'signing:signhost:b10ae331-af78-4e79-a39e-5b64693b6b68',
      'registered-mail:portal-de-assinaturas:987654',
    ]),
  );
});

describe.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))('%s', (_name, block) => {
  it('answers what the docs say', async () => {
    // The CLI examples reach the same Temporal the stack runs on.
    const { answers, stderr, code } = await runBlock(block, stack.app.url, { TEMPORAL_ADDRESS: env.address });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(answers).toHaveLength(block.expectations.length);
    block.expectations.forEach((expected, i) => {
      const got = answers[i];
      const context = `${expected.line.trim()} (got ${got.status} ${got.body})`;
      if (expected.prints !== undefined) {
        expect([context, got.body.includes(expected.prints)]).toEqual([context, true]);
        return;
      }
      expect([context, got.status]).toEqual([context, expected.status]);
      if (expected.body === 'empty') expect([context, got.body]).toEqual([context, '']);
      else if (expected.body)
        expect([context, JSON.parse(got.body)]).toEqual([context, expect.objectContaining(expected.body)]);
    });
  });
});
