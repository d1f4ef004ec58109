// The providers the development tools play: each registered module with a `demo` path, its
// demo.ts loaded. Everything here goes by the registry, so a provider added to it (a built-in
// one, or one of COUNTERSIGN_PROVIDER_MODULES) is started and played with the others.
import type { ProviderDemo } from '../providers/kit/simulator/provider-demo';
import type { ProviderModule } from '../providers/module';
import { builtInProviders, type ProviderRegistry } from '../providers/registry';

export interface DemoProvider {
  module: ProviderModule;
  demo: ProviderDemo;
}

export class ProviderDemoError extends Error {
  override name = 'ProviderDemoError';
}

function loadDemo(module: ProviderModule, path: string): ProviderDemo {
  // A path, not an import, keeps simulators out of the package build (module.ts, `demo`).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- found through the registry, never compiled into lib/
  const demo = (require(path) as { demo?: Partial<ProviderDemo> }).demo;
  if (!demo?.simulator || !Array.isArray(demo.scenarios))
    throw new ProviderDemoError(
      `${module.name}: ${path} exports no demo (expected \`export const demo: ProviderDemo\`)`,
    );
  return demo as ProviderDemo;
}

/** The registry's providers that have a demo.ts, in registry order. */
export function demoProviders(registry: ProviderRegistry = builtInProviders): DemoProvider[] {
  return registry.modules.flatMap((module) => (module.demo ? [{ module, demo: loadDemo(module, module.demo) }] : []));
}

/** The variable that moves a provider's simulator off its usual port. */
export const portVariable = (module: Pick<ProviderModule, 'envPrefix'>) => `${module.envPrefix}_SIMULATOR_PORT`;

/** The variable that points Countersign at a provider's API, here its simulator. */
export const apiUrlVariable = (module: Pick<ProviderModule, 'envPrefix'>) => `${module.envPrefix}_API_URL`;
