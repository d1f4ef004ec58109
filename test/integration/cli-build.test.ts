// `npx countersign` runs compiled JavaScript after `npm install` (its postinstall runs
// scripts/build-lib.js), and never stale code: a source newer than lib/ runs through tsx while
// lib/ is rebuilt in the background. Here on a copy of bin/ and the builder around a one-file
// CLI, so the compile takes a moment and the repository's lib/ is left alone. The postinstall
// also links the CLI into node_modules/.bin, which is how `npx countersign` finds it.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cli-build-'));
const cli = (version: string) =>
  `export async function run(args: string[]): Promise<number> {\n  console.log('${version}', args.join(' '), __filename.endsWith('.js') ? 'compiled' : 'source');\n  return 0;\n}\n`;
const countersign = (...args: string[]) =>
  spawnSync(process.execPath, [join(dir, 'bin', 'countersign.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
  }).stdout.trim();
const waitFor = async (done: () => boolean) => {
  for (const until = Date.now() + 30_000; !done() && Date.now() < until;) await new Promise((r) => setTimeout(r, 200));
};

beforeAll(() => {
  cpSync(join(repo, 'bin'), join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'scripts'));
  cpSync(join(repo, 'scripts', 'build-lib.js'), join(dir, 'scripts', 'build-lib.js'));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  const compilerOptions = { rootDir: 'src', outDir: 'lib', module: 'commonjs', target: 'es2022', types: [] };
  writeFileSync(join(dir, 'tsconfig.build.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
  mkdirSync(join(dir, 'src', 'cli'), { recursive: true });
  writeFileSync(join(dir, 'src', 'cli', 'countersign.ts'), cli('v1'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('compiles on install, dated to the start of the build', () => {
  const before = Date.now();
  expect(spawnSync(process.execPath, [join(dir, 'scripts', 'build-lib.js')], { cwd: dir }).status).toBe(0);
  const built = statSync(join(dir, 'lib', 'cli', 'countersign.js')).mtimeMs;
  expect(built).toBeGreaterThanOrEqual(before - 1000);
  expect(countersign('list')).toBe('v1 list compiled');
});

it('runs a changed source through tsx, and compiled again once the background rebuild is done', async () => {
  writeFileSync(join(dir, 'src', 'cli', 'countersign.ts'), cli('v2'));
  expect(countersign('list')).toBe('v2 list source');
  const compiled = join(dir, 'lib', 'cli', 'countersign.js');
  await waitFor(() => readFileSync(compiled, 'utf8').includes("'v2'") && !existsSync(join(dir, 'lib', '.build.lock')));
  expect(countersign('help')).toBe('v2 help compiled');
});

it('links the CLI where npx finds it, once, and npx runs it from there', () => {
  const project = mkdtempSync(join(tmpdir(), 'cli-link-'));
  try {
    cpSync(join(repo, 'bin'), join(project, 'bin'), { recursive: true });
    mkdirSync(join(project, 'scripts'));
    cpSync(join(repo, 'scripts', 'link-cli.js'), join(project, 'scripts', 'link-cli.js'));
    // No src/: the bin runs lib/ as it does in the image.
    mkdirSync(join(project, 'lib', 'cli'), { recursive: true });
    writeFileSync(
      join(project, 'lib', 'cli', 'countersign.js'),
      "exports.run = async (args) => { console.log('linked', args.join(' ')); return 0; };\n",
    );
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'linked', version: '1.0.0', private: true }));
    const link = () => spawnSync(process.execPath, [join(project, 'scripts', 'link-cli.js')], { cwd: project });
    // Without node_modules (before npm install) there is nothing to link into.
    expect(link().status).toBe(0);
    expect(existsSync(join(project, 'node_modules'))).toBe(false);
    mkdirSync(join(project, 'node_modules'));
    expect(link().status).toBe(0);
    expect(link().status).toBe(0);
    const linked = join(project, 'node_modules', '.bin', 'countersign');
    expect(readlinkSync(linked)).toBe(join('..', '..', 'bin', 'countersign.js'));
    // --no: never fetch a package named countersign from a registry.
    const npx = spawnSync('npx', ['--no', 'countersign', 'list', '--open'], { cwd: project, encoding: 'utf8' });
    expect(npx.stderr).toBe('');
    expect(npx.stdout.trim()).toBe('linked list --open');
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
