// docs/configuration.md promises every variable Countersign reads: checked against the
// schema itself, so a variable added without a line in the docs fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../../src/config';
import { builtInProviders } from '../../src/providers/registry';

const doc = readFileSync(join(__dirname, '../../docs/configuration.md'), 'utf8');
const prefixes = builtInProviders.modules.map((m) => m.envPrefix);

/** Named as itself, or as the `<PROVIDER>_…` form the docs use for what every provider has. */
function documented(variable: string, text: string): boolean {
  if (text.includes(`\`${variable}\``)) return true;
  const prefix = prefixes.find((p) => variable.startsWith(`${p}_`));
  return prefix !== undefined && text.includes(`\`<PROVIDER>${variable.slice(prefix.length)}\``);
}

const undocumented = (text: string) => CONFIG_VARIABLES.filter((v) => !documented(v, text));

it('lists every variable the configuration reads', () => {
  expect(CONFIG_VARIABLES.length).toBeGreaterThan(100);
  expect(undocumented(doc)).toEqual([]);
});

it('notices a variable missing from the page (the check itself works)', () => {
  const without = doc.replaceAll('`HELD_FINAL_GRACE`', '').replaceAll('`<PROVIDER>_ACCOUNTS`', '');
  expect(undocumented(without)).toEqual(expect.arrayContaining(['HELD_FINAL_GRACE', 'SIGNHOST_ACCOUNTS']));
});
