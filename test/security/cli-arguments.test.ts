// Attack 7: `countersign list --limit abc` listed everything. Flags are checked before the CLI
// connects anywhere, so these runs need no Temporal (a wrong flag never gets that far).
import { run } from '../../src/cli/countersign';
import { parseCliArguments } from '../../src/cli/arguments';
import { builtInProviders } from '../../src/providers/registry';

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const code = await run(argv, (s) => lines.push(s));
  return { code, text: lines.join('\n') };
}

describe('countersign arguments', () => {
  it.each([
    [['list', '--limit', 'abc'], /--limit "abc": expected a whole number/],
    [['list', '--limit', '0'], /--limit "0"/],
    [['list', '--limit', '2.5'], /--limit "2.5"/],
    [['list', '--limit'], /--limit needs a value/],
    [['list', '--status', 'done'], /--status "done"/],
    [['list', '--provider', 'docusign'], /--provider "docusign"/],
    [['list', '--limt', '5'], /list does not take --limt/],
    [['show', 'x', '--open'], /show does not take --open/],
    [['refused', '--limit', '1e9'], /--limit "1e9"/],
    [['frobnicate'], /unknown command frobnicate/],
  ])('refuses %j', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(1);
    expect(result.text).toMatch(message);
  });

  it('reads good flags', () => {
    expect(
      parseCliArguments(
        'list',
        ['--limit', '20', '--status', 'signed', '--provider', 'signhost', '--open'],
        builtInProviders.names,
      ),
    ).toEqual({
      positional: [],
      limit: 20,
      status: 'signed',
      provider: 'signhost',
      open: true,
      json: false,
    });
    expect(parseCliArguments('late', ['apply', 'late:x'], builtInProviders.names)).toMatchObject({
      positional: ['apply', 'late:x'],
      limit: 50,
    });
  });
});
