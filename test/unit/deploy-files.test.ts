// docker-compose.yml, Dockerfile and .env.example, checked statically: no Docker engine runs
// on the build machines, so this is what stands between a typo and a broken deployment.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/common/search-attributes';
import { cliTypeName } from '../../src/temporal/readiness';

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const packageJson = () =>
  JSON.parse(read('package.json')) as { engines: { node: string }; scripts: Record<string, string> };

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  env_file?: unknown;
  ports?: string[];
  expose?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  volumes?: string[];
  stop_grace_period?: string;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: object;
};
const services = compose.services;
const COUNTERSIGN = ['countersign-worker', 'countersign-server'];

/** `${NAME:-default}` as compose resolves it with nothing set in the shell or .env. */
const interpolate = (value: string) =>
  value.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_m, _name, fallback?: string) => fallback ?? '');
const envOf = (name: string) =>
  Object.fromEntries(Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
const seconds = (d: string) => {
  const m = /^(\d+)(s|m)$/.exec(d.trim());
  if (!m) throw new Error(`unexpected duration ${d}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
};

describe('docker-compose.yml', () => {
  it('has Temporal on PostgreSQL, its UI, the setup jobs, and Countersign as two roles', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'countersign-server',
        'countersign-worker',
        'postgres',
        'temporal',
        'temporal-schema',
        'temporal-setup',
        'temporal-ui',
      ].sort(),
    );
    expect(services.temporal.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-schema'].image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-setup'].image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
    expect(services.postgres.image).toMatch(/^postgres:/);
    expect(services.temporal.environment?.DB).toBe('postgres12');
    for (const s of Object.values(services)) expect(s.image).not.toMatch(/auto-setup/);
  });

  it('pins every image to a version, and admin-tools to the server version', () => {
    for (const [name, s] of Object.entries(services)) {
      expect({ name, image: s.image }).toMatchObject({ image: expect.stringMatching(/^[\w./-]+:\d+(\.\d+)+[\w.-]*$/) });
    }
    const version = (image?: string) => image?.split(':')[1];
    expect(version(services['temporal-schema'].image)).toBe(version(services.temporal.image));
    expect(version(services['temporal-setup'].image)).toBe(version(services.temporal.image));
    const pkg = JSON.parse(read('package.json')) as { version: string };
    for (const name of COUNTERSIGN) {
      expect(services[name].image).toBe(`countersign:${pkg.version}`);
      expect(services[name].build).toBe('.');
    }
  });

  it('gates every dependency on health or completion, and only on services that can report it', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect({ name, dep, exists: dep in services }).toEqual({ name, dep, exists: true });
        expect(['service_healthy', 'service_completed_successfully']).toContain(condition);
        if (condition === 'service_healthy')
          expect({ dep, healthcheck: !!services[dep].healthcheck }).toEqual({ dep, healthcheck: true });
        // A one-shot job: runs a script and stops; retried a few times, never kept running.
        if (condition === 'service_completed_successfully') expect(services[dep].restart).toMatch(/^on-failure/);
      }
    }
    expect(services.temporal.depends_on).toEqual({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    expect(services['temporal-schema'].depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of COUNTERSIGN) {
      expect(services[name].depends_on).toEqual({
        temporal: { condition: 'service_healthy' },
        'temporal-setup': { condition: 'service_completed_successfully' },
      });
    }
  });

  it('publishes the receivers and the Web UI, keeps the cluster on loopback and the worker unpublished', () => {
    const server = envOf('countersign-server');
    expect(services['countersign-server'].ports).toEqual([`${server.PORT}:${server.PORT}`]);
    expect(services['countersign-worker'].ports).toBeUndefined();
    const worker = envOf('countersign-worker');
    expect(services['countersign-worker'].expose).toEqual(
      expect.arrayContaining([worker.PORT, worker.TEMPORAL_METRICS_PORT]),
    );
    expect(services.temporal.ports).toEqual(['127.0.0.1:7233:7233']);
    expect(services['temporal-ui'].ports).toEqual(['127.0.0.1:8080:8080']);
    expect(services.postgres.ports).toBeUndefined();
  });

  it.each(COUNTERSIGN)('%s sets only variables src/config/ knows, with values it accepts', (name) => {
    const env = envOf(name);
    const unknown = Object.keys(env).filter((k) => !CONFIG_VARIABLES.includes(k));
    expect(unknown).toEqual([]);
    const config = loadConfig(env);
    // The cluster is the compose service, on the port that service listens on.
    expect(config.temporal.address).toBe('temporal:7233');
    expect(services.temporal.ports?.[0]).toMatch(/:7233$/);
    expect(config.temporal.namespace).toBe(envOf('temporal-setup').TEMPORAL_NAMESPACE);
    expect(services[name].env_file).toEqual([{ path: '.env', required: false }]);
    // Compose waits longer than the process does to drain before it kills it.
    expect(seconds(services[name].stop_grace_period ?? '10s') * 1000).toBeGreaterThan(config.shutdownTimeoutMs);
  });

  it.each(COUNTERSIGN)('%s runs a compiled entrypoint and probes its own readiness', (name) => {
    const [node, script] = services[name].command ?? [];
    expect(node).toBe('node');
    expect(existsSync(join(root, script.replace(/^lib\//, 'src/').replace(/\.js$/, '.ts')))).toBe(true);
    expect(services[name].healthcheck?.test).toEqual(['CMD', 'node', 'lib/healthcheck.js', '/readyz']);
    expect(existsSync(join(root, 'src/healthcheck.ts'))).toBe(true);
  });

  it('runs the worker from the prebuilt workflow bundle the image builds', () => {
    const env = envOf('countersign-worker');
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toContain(`WORKFLOW_BUNDLE_PATH=${env.WORKFLOW_BUNDLE_PATH}`);
    expect(env.WORKFLOW_BUNDLE_PATH).toBe('/app/lib/workflow-bundle.js');
    expect(read('scripts/bundle-workflows.ts')).toContain("'lib', 'workflow-bundle.js'");
    expect(loadConfig(env).temporal.workflowBundlePath).toBe(env.WORKFLOW_BUNDLE_PATH);
  });

  it('registers the namespace and exactly the search attributes the workflows use', () => {
    const setup = services['temporal-setup'];
    expect(setup.volumes).toContain('./deploy/temporal:/deploy:ro');
    const script = read(`deploy/temporal/${setup.entrypoint?.[1]?.replace('/deploy/', '')}`);
    expect(script).toContain('operator search-attribute create');
    expect(script).toContain('COUNTERSIGN_SEARCH_ATTRIBUTES');
    // One list for the compose stack and the native cluster, with the types the engine needs.
    expect(setup.env_file).toEqual(['deploy/temporal/countersign.env']);
    expect(services.temporal.env_file).toEqual(['deploy/temporal/countersign.env']);
    const shared = /^COUNTERSIGN_SEARCH_ATTRIBUTES=(.*)$/m
      .exec(read('deploy/temporal/countersign.env'))?.[1]
      .split(',')
      .sort();
    expect(shared).toEqual(ALL_SEARCH_ATTRIBUTES.map((k) => `${k.name}:${cliTypeName(k)}`).sort());
    expect(read('scripts/cluster.sh')).toContain('deploy/temporal/countersign.env');
    expect(setup.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    const schema = services['temporal-schema'];
    expect(
      existsSync(join(root, 'deploy/temporal', schema.entrypoint?.[1]?.replace('/deploy/', '') ?? 'missing')),
    ).toBe(true);
  });

  it('points the Web UI at the codec server of countersign-server, which answers that UI origin only', () => {
    const endpoint = envOf('temporal-ui').TEMPORAL_CODEC_ENDPOINT;
    const published = services['countersign-server'].ports?.[0]?.split(':').at(-1);
    expect(endpoint).toBe(`http://localhost:${published}/codec/`);
    const uiPort = services['temporal-ui'].ports?.[0]?.split(':').at(-2);
    const origins = envOf('countersign-server').COUNTERSIGN_CODEC_ORIGINS.split(',');
    expect(origins).toEqual([`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`]);
    expect(() => loadConfig(envOf('countersign-server'))).not.toThrow();
  });
});

describe('package.json', () => {
  const pkg = JSON.parse(read('package.json')) as {
    main: string;
    types: string;
    exports: Record<string, string | { types: string; default: string }>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  /** The TypeScript source a compiled path comes from. */
  const sourceOf = (compiled: string) => compiled.replace(/^\.?\/?lib\//, 'src/').replace(/\.d\.ts$|\.js$/, '.ts');

  it('points the library entry points at compiled code, each built from a source file', () => {
    expect(pkg.main).toBe('lib/index.js');
    expect(pkg.types).toBe('lib/index.d.ts');
    const targets = Object.entries(pkg.exports)
      .filter(([key]) => key !== './package.json')
      .flatMap(([, target]) => (typeof target === 'string' ? [target] : [target.types, target.default]));
    expect(targets.length).toBeGreaterThan(0);
    for (const target of [pkg.main, pkg.types, ...targets]) {
      expect(target).toMatch(/^(\.\/)?lib\/[\w/-]+\.(js|d\.ts)$/);
      expect({ target, source: existsSync(join(root, sourceOf(target))) }).toEqual({ target, source: true });
    }
  });

  it('needs tsx for development only', () => {
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
  });
});

describe('.env.example', () => {
  const lines = read('.env.example')
    .split('\n')
    .filter((l) => l.trim() && !l.trimStart().startsWith('#'));
  const example = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const composeOnly = new Set([...read('docker-compose.yml').matchAll(/\$\{(\w+)/g)].map((m) => m[1]));

  it('names only Countersign variables or ones docker-compose.yml reads', () => {
    const unknown = Object.keys(example).filter((k) => !CONFIG_VARIABLES.includes(k) && !composeOnly.has(k));
    expect(unknown).toEqual([]);
    expect(Object.keys(example)).toContain('COUNTERSIGN_API_TOKEN');
  });

  it('is accepted by the config as it stands, with no secret filled in', () => {
    const countersignOnly = Object.fromEntries(Object.entries(example).filter(([k]) => CONFIG_VARIABLES.includes(k)));
    expect(() => loadConfig(countersignOnly)).not.toThrow();
    for (const [k, v] of Object.entries(example))
      if (/TOKEN|SECRET|_KEY|AUTHORIZATION/.test(k)) expect({ [k]: v }).toEqual({ [k]: '' });
  });
});

describe('Dockerfile', () => {
  // Instructions, with line continuations joined and comments dropped.
  const instructions = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
  const args = Object.fromEntries(
    instructions
      .filter((i) => i.op === 'ARG' && i.args.includes('='))
      .map((i) => i.args.split('=') as [string, string]),
  );
  const stages = instructions.filter((i) => i.op === 'FROM');
  const lastFrom = instructions.lastIndexOf(stages[stages.length - 1]);
  const runtime = instructions.slice(lastFrom + 1);

  it('is multi-stage, from a pinned Node 22 LTS base image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      const image = stage.args.split(/\s+/)[0].replace(/\$\{(\w+)\}/g, (_m, name: string) => args[name] ?? '');
      expect(image).toMatch(/^node:22\.\d+\.\d+-bookworm-slim$/);
      expect(stage.args).toMatch(/ AS \w+$/i);
    }
    // The runtime stage copies built output from the build stage, not the source tree.
    expect(runtime.filter((i) => i.op === 'COPY').every((i) => i.args.includes('--from='))).toBe(true);
    // Development machines and CI may stay on Node 20.
    expect(packageJson().engines.node).toBe('>=20');
  });

  it('ships compiled code and the CLI only: lib/, bin/, production dependencies', () => {
    const copied = runtime.filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/).at(-1));
    expect(copied.sort()).toEqual(['./bin', './lib', './node_modules', './package.json']);
    // The build stage compiles with the build config, which leaves simulators and demo out.
    expect(packageJson().scripts.build).toBe('tsc -p tsconfig.build.json');
    const build = JSON.parse(read('tsconfig.build.json')) as { exclude: string[]; compilerOptions: { outDir: string } };
    expect(build.compilerOptions.outDir).toBe('lib');
    expect(build.exclude).toEqual(
      expect.arrayContaining([
        'src/demo',
        'src/simulators',
        'src/providers/*/simulator*.ts',
        'src/providers/*/samples',
      ]),
    );
    // tsx is pruned with the other devDependencies before the runtime stage copies node_modules.
    expect(instructions.find((i) => i.op === 'RUN' && i.args.includes('npm run build'))?.args).toContain(
      'npm prune --omit=dev',
    );
  });

  it('puts the operator CLI on the PATH, and links it for npx rather than declaring a bin', () => {
    // A `bin` in package.json sends `npx countersign` down npm's slow path (scripts/link-cli.js).
    const pkg = JSON.parse(read('package.json')) as { bin?: unknown; scripts: Record<string, string> };
    expect(pkg.bin).toBeUndefined();
    expect(pkg.scripts.postinstall).toContain('node scripts/link-cli.js');
    const link = runtime.find((i) => i.op === 'RUN' && i.args.includes('/usr/local/bin/countersign'));
    expect(link?.args).toBe('ln -s /app/bin/countersign.js /usr/local/bin/countersign');
    // Before USER: /usr/local/bin is root's.
    expect(runtime.indexOf(link!)).toBeLessThan(runtime.findIndex((i) => i.op === 'USER'));
    const buildStage = instructions.slice(0, lastFrom);
    expect(buildStage.some((i) => i.op === 'COPY' && i.args === 'bin ./bin')).toBe(true);
  });

  it('runs as a non-root user with a health check', () => {
    const user = runtime.filter((i) => i.op === 'USER').pop();
    expect(user?.args).toBeDefined();
    expect(user?.args).not.toMatch(/^(root|0)(:|$)/);
    const health = runtime.find((i) => i.op === 'HEALTHCHECK');
    expect(health?.args).toMatch(/CMD \["node", "lib\/healthcheck\.js", "\/healthz"\]/);
    expect(runtime.find((i) => i.op === 'EXPOSE')?.args.split(' ')).toEqual(expect.arrayContaining(['3000']));
  });

  it('skips the Temporal CLI download and prebuilds the workflow bundle', () => {
    const install = instructions.findIndex((i) => i.op === 'RUN' && /npm (ci|install)/.test(i.args));
    const skip = instructions.findIndex(
      (i) => i.op === 'ENV' && i.args.includes('COUNTERSIGN_SKIP_TEMPORAL_INSTALL=1'),
    );
    expect(skip).toBeGreaterThanOrEqual(0);
    expect(skip).toBeLessThan(install);
    expect(read('scripts/install-temporal.sh')).toContain('COUNTERSIGN_SKIP_TEMPORAL_INSTALL');
    // npm runs the postinstall during the install: its script must already be in the image.
    const postinstall = /\bscripts\/[\w.-]+/.exec(packageJson().scripts.postinstall)?.[0];
    const copied = instructions.findIndex(
      (i) => i.op === 'COPY' && new RegExp(`^(scripts|${postinstall}) `).test(i.args),
    );
    expect(postinstall).toBe('scripts/install-temporal.sh');
    expect(copied).toBeGreaterThanOrEqual(0);
    expect(copied).toBeLessThan(install);
    const build = instructions.find((i) => i.op === 'RUN' && i.args.includes('npm run bundle:workflows'));
    expect(build?.args).toContain('npm run build');
    expect(packageJson().scripts['bundle:workflows']).toContain('scripts/bundle-workflows.ts');
  });

  it('starts an entrypoint that exists', () => {
    const cmd = JSON.parse(runtime.find((i) => i.op === 'CMD')?.args ?? '[]') as string[];
    expect(cmd[0]).toBe('node');
    expect(existsSync(join(root, cmd[1].replace(/^lib\//, 'src/').replace(/\.js$/, '.ts')))).toBe(true);
  });
});
