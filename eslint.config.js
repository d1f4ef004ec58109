// Lint rules that protect what the compiler cannot: workflow code must stay deterministic and
// light (Temporal replays it in a sandbox, one copy per cached workflow), and no promise may be
// dropped by accident. test/unit/lint.test.ts keeps the rules honest.
const { builtinModules } = require('node:module');
const tseslint = require('typescript-eslint');

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));

// Modules that do I/O, hold process-wide state or are heavy: fine in receivers, activities and
// the worker, never in code the workflow bundle includes. Type-only imports are erased, so allowed.
const workflowForbidden = {
  paths: [
    ...nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not available in workflow code.' })),
    ...['zod', 'express', 'pino', 'prom-client'].map((name) => ({
      name,
      message: 'Keep I/O and heavy modules out of workflow code (receivers, activities and config may use them).',
      allowTypeImports: true,
    })),
    ...['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'].map((name) => ({
      name,
      message: 'Workflow code may use only @temporalio/workflow and @temporalio/common.',
      allowTypeImports: true,
    })),
  ],
  patterns: [
    { group: ['node:*'], message: 'Node built-ins are not available in workflow code.' },
    {
      group: [
        '**/activities',
        '**/activities/**',
        '**/providers/**',
        '**/receivers/**',
        '**/api/**',
        '**/temporal/**',
        '**/config',
        '**/logger',
        '**/metrics',
      ],
      message: 'Workflow code imports activities and I/O modules as types only.',
      allowTypeImports: true,
    },
  ],
};

// The type-checked set catches what types alone let through (unsafe `any`, unbound methods,
// promises where values are expected); it needs type information, so TypeScript files only.
const typeChecked = tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ['**/*.ts'] }));

module.exports = tseslint.config(
  // Fixtures break the rules on purpose; test/unit/lint.test.ts lints them as if they were in src/.
  { ignores: ['lib/**', 'node_modules/**', '.tools/**', '.data/**', 'coverage/**', 'test/fixtures/**'] },
  ...typeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // A leading underscore marks a binding kept on purpose (a field dropped by a rest copy, a
      // parameter an interface requires).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Test doubles stand in for async interfaces (activities, follow-ups, clocks) and often
      // have nothing to wait for.
      '@typescript-eslint/require-await': 'off',
      // jest's asymmetric matchers (expect.any, expect.stringMatching, ...) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    // src/common is imported by workflows, so it obeys the same rules.
    files: ['src/workflows/**/*.ts', 'src/common/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', workflowForbidden],
    },
  },
);
