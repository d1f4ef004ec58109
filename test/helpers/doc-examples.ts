// The shell examples of the README and docs/, as a test runs them. A block is run when the
// line before its ```bash fence is `<!-- doc-test -->`; inside it, a comment line
// `# → STATUS [expected]` follows each curl command whose answer the docs state. `expected`
// is `(empty body)` or a JSON object whose fields must all appear, with these values, in the
// answer (the answer may hold more). After any other command, `# → prints TEXT` says what its
// output must contain. Every command must succeed (the block runs under bash -e).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Expectation {
  /** 0 for a `prints` expectation. */
  status: number;
  /** For `# → prints TEXT`: what the output must contain. */
  prints?: string;
  /** undefined: only the status is stated. */
  body?: 'empty' | Record<string, unknown>;
  /** The comment line as written, to name a failing expectation. */
  line: string;
}

export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  script: string;
  expectations: Expectation[];
}

export interface Answer {
  status: number;
  body: string;
}

const MARK = '<!-- doc-test -->';
const EXPECT = /^#\s*→\s*(\d{3}|prints)\s*(.*)$/;

export function docBlocks(file: string): DocBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== MARK) continue;
    if (lines[i + 1]?.trim() !== '```bash')
      throw new Error(`${file}:${i + 1}: ${MARK} must come right before a \`\`\`bash fence`);
    const body: string[] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j].trim() !== '```'; j++) body.push(lines[j]);
    blocks.push({ file, line: i + 2, script: body.join('\n'), expectations: expectationsOf(body) });
    i = j;
  }
  return blocks;
}

function expectationsOf(lines: string[]): Expectation[] {
  return lines.flatMap((line) => {
    const m = EXPECT.exec(line.trim());
    if (!m) return [];
    const rest = m[2].trim();
    if (m[1] === 'prints') return [{ status: 0, prints: rest, line }];
    if (rest === '') return [{ status: Number(m[1]), line }];
    if (rest === '(empty body)') return [{ status: Number(m[1]), body: 'empty' as const, line }];
    return [{ status: Number(m[1]), body: JSON.parse(rest) as Record<string, unknown>, line }];
  });
}

const SEPARATOR = '@@doc-example-answer@@';

/**
 * Runs a block in bash against `baseUrl` (the docs say localhost:3000) and returns the answer
 * of each command that has an expectation, in order. curl reports each status through a
 * config file of its own, so the commands run exactly as the docs print them. Asynchronous:
 * the server under test answers from this very process.
 */
export async function runBlock(
  block: DocBlock,
  baseUrl: string,
  env: Record<string, string> = {},
): Promise<{ answers: Answer[]; stderr: string; code: number | null }> {
  const curlHome = mkdtempSync(join(tmpdir(), 'doc-examples-'));
  writeFileSync(join(curlHome, '.curlrc'), `write-out = "\\n${SEPARATOR}%{http_code}\\n"\n`);
  const host = baseUrl.replace(/^https?:\/\//, '');
  const script = block.script
    .split('\n')
    .map((line) => (EXPECT.test(line.trim()) ? `echo "${SEPARATOR}end"` : line.replaceAll('localhost:3000', host)))
    .join('\n');
  const run = await new Promise<{ stdout: string; stderr: string; status: number | null }>((resolve) => {
    const child = spawn('bash', ['-e', '-c', script], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, CURL_HOME: curlHome, ...env },
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (status) => resolve({ stdout, stderr, status }));
  });
  const answers: Answer[] = [];
  let pending = '';
  for (const line of run.stdout.split('\n')) {
    if (line === `${SEPARATOR}end`) {
      const at = pending.lastIndexOf(SEPARATOR);
      answers.push(
        at < 0
          ? { status: 0, body: pending }
          : {
              status: Number(pending.slice(at + SEPARATOR.length, at + SEPARATOR.length + 3)),
              body: pending.slice(0, at).replace(/\n$/, ''),
            },
      );
      pending = '';
    } else {
      pending += `${line}\n`;
    }
  }
  return { answers, stderr: run.stderr, code: run.status };
}
