// The providers the engine knows. Everything that lists providers (receivers, API schemas,
// /openapi.json, configuration, worker, CLI, simulators, demo) reads this registry, so a
// fifth provider is one folder and one line in BUILT_IN_PROVIDERS, or a module of your own
// named by COUNTERSIGN_PROVIDER_MODULES (docs/providers/writing-a-provider.md).
import { resolve } from 'node:path';
import { evrotrust } from './evrotrust';
import { requireUserModule } from '../platform/user-module';
import type { ProviderModule } from './module';
import { portalDeAssinaturas } from './portal-de-assinaturas';
import { signhost } from './signhost';
import { signicat } from './signicat';

export const BUILT_IN_PROVIDERS: readonly ProviderModule[] = [evrotrust, signhost, signicat, portalDeAssinaturas];

export class ProviderRegistryError extends Error {
  override name = 'ProviderRegistryError';
}

export class ProviderRegistry {
  private readonly byName = new Map<string, ProviderModule>();

  constructor(readonly modules: readonly ProviderModule[]) {
    for (const m of modules) {
      if (!/^[a-z][a-z0-9-]{0,39}$/.test(m.name))
        throw new ProviderRegistryError(
          `provider name ${JSON.stringify(m.name)}: expected lower-case letters, digits and dashes`,
        );
      if (this.byName.has(m.name)) throw new ProviderRegistryError(`provider ${m.name} is registered twice`);
      if (!/^[A-Z][A-Z0-9_]*$/.test(m.envPrefix))
        throw new ProviderRegistryError(
          `provider ${m.name}: envPrefix must be upper-case (got ${JSON.stringify(m.envPrefix)})`,
        );
      // One provider's variables must never shadow another's or the engine's.
      const stray = Object.keys(m.env).filter((v) => !v.startsWith(`${m.envPrefix}_`));
      if (stray.length > 0)
        throw new ProviderRegistryError(
          `provider ${m.name}: variables ${stray.join(', ')} do not start with ${m.envPrefix}_`,
        );
      if (m.kinds.length === 0) throw new ProviderRegistryError(`provider ${m.name}: tracks no transaction kind`);
      this.byName.set(m.name, m);
    }
    const prefixes = modules.map((m) => m.envPrefix);
    const clash = prefixes.find((p, i) => prefixes.some((q, j) => j !== i && (q === p || q.startsWith(`${p}_`))));
    if (clash) throw new ProviderRegistryError(`provider variable prefix ${clash} overlaps another provider's`);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  get(name: string): ProviderModule | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Providers that track this kind of transaction. */
  tracking(kind: ProviderModule['kinds'][number]): string[] {
    return this.modules.filter((m) => m.kinds.includes(kind)).map((m) => m.name);
  }
}

export const builtInProviders = new ProviderRegistry(BUILT_IN_PROVIDERS);

/**
 * The built-in providers plus those of COUNTERSIGN_PROVIDER_MODULES (comma-separated module
 * paths, relative to the working directory). Each module exports its ProviderModule as
 * `provider` or as its default export. Read once at startup, with the configuration.
 */
export function providerRegistryFrom(env: NodeJS.ProcessEnv): ProviderRegistry {
  const paths = (env.COUNTERSIGN_PROVIDER_MODULES ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (paths.length === 0) return builtInProviders;
  return new ProviderRegistry([...BUILT_IN_PROVIDERS, ...paths.map(loadProviderModule)]);
}

function loadProviderModule(path: string): ProviderModule {
  let mod: Record<string, unknown>;
  try {
    // Compiled code loads a .ts module through tsx when it is installed, like user activities.
    mod = requireUserModule(resolve(path)) as Record<string, unknown>;
  } catch (err) {
    throw new ProviderRegistryError(`cannot load ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const candidate = (mod.provider ?? mod.default) as Partial<ProviderModule> | undefined;
  if (
    !candidate ||
    typeof candidate.name !== 'string' ||
    typeof candidate.receiver !== 'function' ||
    typeof candidate.settings !== 'function' ||
    !candidate.env
  ) {
    throw new ProviderRegistryError(
      `${path} exports no provider module (expected \`export const provider = defineProvider({...})\`)`,
    );
  }
  return candidate as ProviderModule;
}
