// The lint rules guard workflow determinism; this keeps a config change from silently
// dropping them. Lints a fixture with the project's real rules, as if it lived in src/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint, type Linter } from 'eslint';

const root = join(__dirname, '../..');
const fixture = readFileSync(join(root, 'test/fixtures/lint/forbidden-workflow.ts'), 'utf8');
const typeCheckedFixture = readFileSync(join(root, 'test/fixtures/lint/type-checked.ts'), 'utf8');
const places = ['src/workflows', 'src/common', 'src/receivers', 'src/api'].map((dir) => `${dir}/lint-fixture.ts`);

// ESLint loads its config file with a dynamic import, which jest's sandbox refuses: the same
// file is required instead. The fixture paths exist only in memory, so the type-aware parser
// is allowed to give them a project of their own; the rules stay the project's.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: import() is refused here
const projectConfig = require('../../eslint.config.js') as Linter.Config[];
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [
    ...projectConfig,
    {
      files: places,
      languageOptions: {
        parserOptions: {
          projectService: { allowDefaultProject: places, defaultProject: 'tsconfig.json' },
          tsconfigRootDir: root,
        },
      },
    },
  ],
});

async function lintAs(relativePath: string, text = fixture) {
  const [result] = await eslint.lintText(text, { filePath: join(root, relativePath) });
  return result.messages.map((m) => ({ rule: m.ruleId, line: m.line, message: m.message }));
}

describe('lint rules', () => {
  it('report a Node built-in and a floating promise in workflow code', async () => {
    const messages = await lintAs('src/workflows/lint-fixture.ts');
    expect(messages).toEqual([
      expect.objectContaining({
        rule: '@typescript-eslint/no-restricted-imports',
        line: 2,
        message: expect.stringContaining("'node:fs'"),
      }),
      expect.objectContaining({ rule: '@typescript-eslint/no-floating-promises', line: 5 }),
    ]);
  }, 60_000);

  it('treat src/common like workflow code', async () => {
    const messages = await lintAs('src/common/lint-fixture.ts');
    expect(messages.map((m) => m.rule)).toEqual([
      '@typescript-eslint/no-restricted-imports',
      '@typescript-eslint/no-floating-promises',
    ]);
  }, 60_000);

  it('let receivers use Node built-ins, but not drop promises', async () => {
    const messages = await lintAs('src/receivers/lint-fixture.ts');
    expect(messages.map((m) => m.rule)).toEqual(['@typescript-eslint/no-floating-promises']);
  }, 60_000);

  it("apply typescript-eslint's type-checked rules to the rest of src", async () => {
    const messages = await lintAs('src/api/lint-fixture.ts', typeCheckedFixture);
    expect(messages.map((m) => m.rule)).toEqual([
      '@typescript-eslint/no-unsafe-assignment',
      '@typescript-eslint/unbound-method',
    ]);
  }, 60_000);
});
