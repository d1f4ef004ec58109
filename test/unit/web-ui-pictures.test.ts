// The README's Web UI pictures: each one it shows is a real PNG of a size a page can carry,
// and the script that retakes them is wired to `npm run docs:screenshots`, outside the tests.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk, which the format puts first. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('the Web UI pictures of the README', () => {
  const pictures = [...read('README.md').matchAll(/!\[[^\]]+\]\((docs\/images\/[^)]+)\)/g)].map((m) => m[1]);

  it('shows the list and a workflow page', () => {
    expect(pictures).toEqual(
      expect.arrayContaining(['docs/images/web-ui-list.png', 'docs/images/web-ui-workflow.png']),
    );
  });

  it('links only PNGs that exist, each under 300 KB and as wide as the 1280-pixel window they were taken in', () => {
    for (const picture of pictures) {
      const bytes = readFileSync(join(root, picture));
      expect({ picture, png: bytes.subarray(0, 8).equals(PNG_SIGNATURE) }).toEqual({ picture, png: true });
      expect({ picture, kb: Math.ceil(statSync(join(root, picture)).size / 1024) <= 300 }).toEqual({
        picture,
        kb: true,
      });
      expect({ picture, width: pngSize(bytes).width }).toEqual({ picture, width: 1280 });
    }
  });

  it('are retaken by npm run docs:screenshots, which no test runs', () => {
    const pkg = JSON.parse(read('package.json')) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const script = /scripts\/[\w.-]+\.ts/.exec(pkg.scripts['docs:screenshots'] ?? '')?.[0];
    expect(script).toBe('scripts/capture-web-ui.ts');
    expect(existsSync(join(root, script!))).toBe(true);
    expect(pkg.scripts.test).not.toContain('capture-web-ui');
    expect(pkg.devDependencies['puppeteer-core']).toBeDefined();
    // The pictures it writes are the ones the README shows.
    const source = read(script!);
    for (const picture of pictures) expect(source).toContain(`'${picture.replace('docs/images/', '')}'`);
  });
});
