import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../tools/cli/registry';
import { docFiles, syncBlocks, untiedTypeScriptBlocks } from '../../tools/docs/doc-blocks';

const ROOT = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

describe('Docs: quoted code is the real code', () => {
  it.each(docFiles(ROOT))('%s: every marked block equals its source (run npm run docs after a change)', (file) => {
    // Act
    const page = read(file);

    // Assess
    expect(syncBlocks(page, ROOT)).toBe(page);
  });

  it.each(docFiles(ROOT))('%s: every TypeScript block is included from a real file', (file) => {
    // Assess: the lines of blocks without an include marker.
    expect(untiedTypeScriptBlocks(read(file))).toEqual([]);
  });

  it('docs/cli.md quotes the usage text of every command, and only of commands', () => {
    // Act
    const quoted = [...read('docs/cli.md').matchAll(/^<!-- usage: (\S+) -->$/gm)].map((match) => match[1]);

    // Assess
    expect(quoted).toEqual(COMMANDS.map((command) => command.name));
  });

  it('refreshes a stale block, quotes a region, and refuses a marker without a source', () => {
    // Prepare
    const stale = '<!-- usage: sign -->\n\n```text\nUsage: an old text\n```\n';
    const region = '<!-- include: docs/snippets/verify-in-your-lambda.ts -->\n```ts\n```\n';

    // Act
    const synced = syncBlocks(stale, ROOT);

    // Assess
    expect(synced).toBe(
      `<!-- usage: sign -->\n\n\`\`\`text\n${COMMANDS.find((c) => c.name === 'sign')!.usage}\n\`\`\`\n`,
    );
    expect(syncBlocks(region, ROOT)).toContain("from 'fluent-webhook-receiver';");
    expect(() => syncBlocks('<!-- usage: nope -->\n```text\n```\n', ROOT)).toThrow(/names no command/);
    expect(() => syncBlocks('<!-- include: handlers/index.ts#nope -->\n```ts\n```\n', ROOT)).toThrow(
      /no "\/\/ #region nope"/,
    );
    expect(untiedTypeScriptBlocks('text\n```ts\nconst a = 1;\n```\n')).toEqual([2]);
  });
});

describe('Docs: the front door', () => {
  const readme = read('README.md');

  it('stays short, keeps the two commands, and links every page in docs/', () => {
    // Assess
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    for (const page of docFiles(ROOT).filter((file) => file.startsWith('docs/'))) {
      expect(readme).toContain(`](${page})`);
    }
  });

  it('quotes no measured figure: those live on docs/benchmarks.md', () => {
    // Assess: no rates, durations or sizes with units.
    expect(readme).not.toMatch(/\b\d[\d,.]*\s?(ms|µs|s|KiB|MB)\b|\/s\b|\b\d+(\.\d+)?\s?×/);
  });
});
