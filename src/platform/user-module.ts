// Loads a module of the user's by its path (COUNTERSIGN_ACTIVITIES_MODULE). Run from source
// (`npm start`, the tests), Countersign is itself TypeScript under a loader that compiles a
// `.ts` module as well. Compiled (lib/, the container image), nothing does: a `.ts` module then
// goes through tsx when it is installed (a devDependency, so in a development checkout but not
// in the image) and is refused with what to do otherwise. A `.js` module loads everywhere.
// See docs/deployment.md "The compiled package".
import { existsSync } from 'node:fs';
import { extname } from 'node:path';

const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.cts', '.mts']);

export class TypeScriptModuleError extends Error {
  override name = 'TypeScriptModuleError';
}

type ScopedRequire = (id: string, fromFile: string) => unknown;

export interface UserModuleLoader {
  /** True when this code runs as TypeScript, so whatever compiles it compiles the user's module too. */
  fromSource: boolean;
  /** tsx's scoped require, or undefined when tsx is not installed. */
  tsxRequire(): ScopedRequire | undefined;
}

function installedTsx(): ScopedRequire | undefined {
  let api: { require: ScopedRequire };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- tsx is optional: absent from production installs
    api = require('tsx/cjs/api') as { require: ScopedRequire };
  } catch (err) {
    if ((err as { code?: string }).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
  return api.require;
}

const defaultLoader: UserModuleLoader = {
  fromSource: TYPESCRIPT_EXTENSIONS.has(extname(__filename)),
  tsxRequire: installedTsx,
};

export function isTypeScriptModule(file: string): boolean {
  return TYPESCRIPT_EXTENSIONS.has(extname(file));
}

/** `require(file)` for an absolute path, TypeScript included when something can compile it. */
export function requireUserModule(file: string, loader: UserModuleLoader = defaultLoader): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a user's module, known only by its path at run time
  if (!isTypeScriptModule(file) || loader.fromSource) return require(file);
  const tsxRequire = loader.tsxRequire();
  // A path that names nothing is reported as such, whatever its extension.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above: Node's own error for a missing path
  if (!tsxRequire && !existsSync(file)) return require(file);
  if (!tsxRequire) {
    throw new TypeScriptModuleError(
      'is TypeScript, and compiled Countersign loads TypeScript only through tsx, which is not installed here: ' +
        'compile the module to JavaScript and name the .js file, or install tsx beside Countersign',
    );
  }
  // Scoped: the modules it imports go through tsx too, the rest of the process does not.
  return tsxRequire(file, __filename);
}
