// src/ is a house with floors: each folder is one layer and imports only the layers below it,
// type imports included, so no module imports itself through others and no two folders lean on
// each other. Only the entry points the package, the scripts and the image run sit at the root.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { labelOf } from '../../src/providers/module';
import { builtInProviders } from '../../src/providers/registry';

const SRC = join(__dirname, '..', '..', 'src');
const ROOT = '(root)';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = normalize(join(dirname(from), spec));
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files(SRC)) {
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/(?:from\s+|require\(|import\(|import\s+)'(\.{1,2}\/[^']*)'/g)].map((m) => m[1]);
    graph.set(
      file,
      specs.map((spec) => resolveImport(file, spec)).filter((f): f is string => f !== undefined),
    );
  }
  return graph;
}

/** Every cycle's files, found by depth-first search with colours. */
function cycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const found: string[][] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push(path.slice(path.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

/**
 * The floors, lowest first. A folder imports its own files and the floors below; folders on one
 * floor do not import each other. The root (entry points) is the top floor.
 */
const LAYERS: string[][] = [
  ['common'], // workflow-safe types, state and rules
  ['platform', 'encryption', 'tracing'], // logging, metrics, HTTP server, shutdown; payload codec; spans
  ['providers'], // one folder per provider, kit/ for what they share, the registry
  ['config'], // the environment, parsed once, one file per concern
  ['activities'], // the engine's activities and post-signing steps, the user's module
  ['workflows'], // the transaction workflow (types from activities/ only)
  ['temporal'], // Temporal client calls, the dev server, worker plumbing
  ['receivers', 'api'], // the callback receivers and the application API
  ['app', 'cli'], // process assembly (HTTP app, worker, supervisor) and the operators' CLI
  ['simulators'], // development only: the provider simulators together
  ['demo'], // development only: `npm run demo`
  [ROOT],
];

/** The entry points users, scripts, docs and the image name (package.json, Dockerfile, bin/). */
const ENTRY_POINTS = ['client.ts', 'healthcheck.ts', 'index.ts', 'main.ts', 'server.ts', 'worker.ts'];

/** Imports allowed against the floors, each with its reason; keep it short. */
const ALLOWED: Array<{ from: string; to: string; why: string }> = [];

const folderOf = (file: string) => {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? ROOT : parts[0];
};

/** Folder-level edges: `from -> to` with the file imports behind each. */
function folderEdges(graph: Map<string, string[]>): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const [file, imports] of graph)
    for (const target of imports) {
      const from = folderOf(file);
      const to = folderOf(target);
      if (from === to) continue;
      const key = `${from} -> ${to}`;
      edges.set(key, [...(edges.get(key) ?? []), `${relative(SRC, file)} -> ${relative(SRC, target)}`]);
    }
  return edges;
}

function twoWayPairs(edges: Map<string, string[]>): string[] {
  return [...edges.keys()]
    .map((key) => key.split(' -> '))
    .filter(([from, to]) => from < to && edges.has(`${to} -> ${from}`))
    .map(([from, to]) => `${from} <-> ${to}`);
}

/** File imports that do not point down the floors (or reach a folder on no floor). */
function upwardImports(edges: Map<string, string[]>, layers: string[][]): string[] {
  const floor = new Map(layers.flatMap((folders, i) => folders.map((f) => [f, i] as const)));
  return [...edges].flatMap(([key, imports]) => {
    const [from, to] = key.split(' -> ');
    const down = floor.has(from) && floor.has(to) && floor.get(to)! < floor.get(from)!;
    if (down) return [];
    return imports.filter((i) => !ALLOWED.some((a) => `${a.from} -> ${a.to}` === i));
  });
}

it('has no import cycle in src/', () => {
  const graph = importGraph();
  expect(graph.size).toBeGreaterThan(100);
  expect(cycles(graph).map((c) => c.map((f) => relative(SRC, f)).join(' -> '))).toEqual([]);
});

it('finds a cycle when there is one (the check itself works)', () => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
    ['d', ['a']],
  ]);
  expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
});

it('has no two folders of src/ importing each other', () => {
  expect(twoWayPairs(folderEdges(importGraph()))).toEqual([]);
});

it('imports only down the floors of src/', () => {
  const graph = importGraph();
  const folders = new Set([...graph.keys()].map(folderOf));
  expect([...folders].filter((f) => !LAYERS.flat().includes(f))).toEqual([]);
  expect(upwardImports(folderEdges(graph), LAYERS)).toEqual([]);
});

it('has nothing at the root of src/ but the entry points', () => {
  const loose = readdirSync(SRC).filter((name) => name.endsWith('.ts'));
  expect(loose.sort()).toEqual(ENTRY_POINTS);
});

it('finds a two-way pair and an upward import when there are (the checks themselves work)', () => {
  const graph = new Map([
    [join(SRC, 'common', 'a.ts'), [join(SRC, 'config', 'b.ts')]],
    [join(SRC, 'config', 'b.ts'), [join(SRC, 'common', 'c.ts')]],
    [join(SRC, 'api', 'd.ts'), [join(SRC, 'config', 'b.ts')]],
  ]);
  const edges = folderEdges(graph);
  expect(twoWayPairs(edges)).toEqual(['common <-> config']);
  expect(upwardImports(edges, LAYERS)).toEqual([`common${sep}a.ts -> config${sep}b.ts`]);
});

// Providers live in src/providers/ and everything else reads them through the registry, so a
// fifth provider touches one folder. A file elsewhere that names one (by its registered name
// or its label, in code or in a comment) is knowledge in the wrong place, unless it is here.
/** Paths under src/ (a folder ends with `/` and counts as one entry), each with its reason. */
const NAMING_ALLOWED: Array<{ path: string; why: string }> = [];

/** The built-in providers' names and labels, as a file might spell them. */
function providerSpellings(): string[] {
  return [...new Set(builtInProviders.modules.flatMap((m) => [m.name, labelOf(m)]))];
}

/** Files (paths relative to src/, `/`-separated) outside providers/ that name a provider and are not allowed to. */
function filesNamingProviders(
  texts: Array<{ path: string; text: string }>,
  spellings: string[],
  allowed: Array<{ path: string }>,
): string[] {
  const pattern = new RegExp(spellings.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
  const isAllowed = (path: string) =>
    allowed.some((a) => (a.path.endsWith('/') ? path.startsWith(a.path) : path === a.path));
  return texts
    .filter(({ path }) => !path.startsWith('providers/') && !isAllowed(path))
    .filter(({ text }) => pattern.test(text))
    .map(({ path }) => path);
}

const srcTexts = () =>
  files(SRC).map((file) => ({ path: relative(SRC, file).split(sep).join('/'), text: readFileSync(file, 'utf8') }));

it('names a provider only in src/providers/ and a short allowlist with reasons', () => {
  const spellings = providerSpellings();
  expect(spellings).toEqual(expect.arrayContaining(['signicat', 'Signicat']));
  expect(NAMING_ALLOWED.length).toBeLessThanOrEqual(5);
  for (const entry of NAMING_ALLOWED) expect(entry.why.length).toBeGreaterThan(20);
  const texts = srcTexts();
  expect(filesNamingProviders(texts, spellings, NAMING_ALLOWED)).toEqual([]);
  // An entry nothing needs any more goes.
  const stale = NAMING_ALLOWED.filter(
    (entry) =>
      filesNamingProviders(
        texts.filter(({ path }) => (entry.path.endsWith('/') ? path.startsWith(entry.path) : path === entry.path)),
        spellings,
        [],
      ).length === 0,
  );
  expect(stale.map((e) => e.path)).toEqual([]);
});

it('finds a file outside src/providers/ that names a provider (the check itself works)', () => {
  const spellings = ['acme-sign', 'Acme Sign'];
  const texts = [
    { path: 'providers/acme-sign/index.ts', text: "name: 'acme-sign'" },
    { path: 'client.ts', text: "if (provider === 'acme-sign') throw new TypeError('x');" },
    { path: 'receivers/callback-receiver.ts', text: '// ACME SIGN retries three times' },
    { path: 'demo/scenarios.ts', text: "provider: 'acme-sign'" },
    { path: 'api/openapi.ts', text: "example: 'signing:some-provider:tx-1'" },
  ];
  expect(filesNamingProviders(texts, spellings, [{ path: 'demo/' }])).toEqual([
    'client.ts',
    'receivers/callback-receiver.ts',
  ]);
  expect(filesNamingProviders(texts, spellings, [])).toContain('demo/scenarios.ts');
});
