import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { docFiles } from '../../tools/docs/doc-blocks';
import { headingAnchors, markdownLinks, proseLines } from '../support/markdown';

const ROOT = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

/** Why a relative link does not resolve, or undefined when it does. */
function brokenBecause(fromFile: string, target: string): string | undefined {
  const [pathPart = '', anchor] = target.split('#');
  const targetFile = pathPart === '' ? fromFile : relative(ROOT, join(ROOT, dirname(fromFile), decodeURI(pathPart)));
  if (!existsSync(join(ROOT, targetFile))) return `${targetFile} does not exist`;
  if (anchor === undefined) return undefined;
  if (statSync(join(ROOT, targetFile)).isDirectory() || !targetFile.endsWith('.md')) {
    return `#${anchor} points into ${targetFile}, which is not a Markdown page`;
  }
  return headingAnchors(read(targetFile)).has(anchor) ? undefined : `${targetFile} has no heading #${anchor}`;
}

describe('Docs: links', () => {
  const files = docFiles(ROOT);

  it('finds the pages and their links', () => {
    // Assess: a parser that found nothing would pass every check below.
    expect(files).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/architecture.md']));
    expect(markdownLinks(read('README.md')).length).toBeGreaterThan(10);
  });

  it.each(docFiles(ROOT))('%s: every relative link and anchor resolves', (file) => {
    // Act
    const broken = markdownLinks(read(file))
      .filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link.target))
      .map((link) => ({ ...link, why: brokenBecause(file, link.target) }))
      .filter((link) => link.why !== undefined)
      .map((link) => `${file}:${link.line} (${link.target}): ${link.why}`);

    // Assess
    expect(broken).toEqual([]);
  });

  it('reports a missing file and a missing anchor', () => {
    // Assess: the checker itself can fail.
    expect(brokenBecause('README.md', 'docs/no-such-page.md')).toBe('docs/no-such-page.md does not exist');
    expect(brokenBecause('README.md', 'docs/deploying.md#no-such-heading')).toBe(
      'docs/deploying.md has no heading #no-such-heading',
    );
    expect(brokenBecause('docs/deploying.md', '#the-fluent-side')).toBeUndefined();
  });
});

/** Repository paths a page names in code marks, such as `lib/stack/stack-config.ts` or `tools/cli/commands/<name>.ts`. */
function namedPaths(markdown: string): Array<{ path: string; line: number }> {
  const found: Array<{ path: string; line: number }> = [];
  proseLines(markdown).forEach((line, index) => {
    for (const match of line.matchAll(/`((?:bin|lib|lambdas|handlers|tools|test|docs|samples)\/[^`\s]*)`/g)) {
      found.push({ path: match[1]!, line: index + 1 });
    }
  });
  return found;
}

/** The part of a named path that must exist: up to the first placeholder or wildcard, and not its `#region`. */
function existingPart(path: string): string {
  const cut = path.search(/[<*{]|#/);
  const fixed = cut < 0 ? path : path.slice(0, cut);
  return cut < 0 ? fixed : fixed.slice(0, fixed.lastIndexOf('/') + 1);
}

describe('Docs: the repository paths pages name', () => {
  it.each(docFiles(ROOT))('%s: every path in code marks exists in the tree', (file) => {
    // Act
    const missing = namedPaths(read(file))
      .filter(({ path }) => !existsSync(join(ROOT, existingPart(path))))
      .map(({ path, line }) => `${file}:${line}: ${path}`);

    // Assess
    expect(missing).toEqual([]);
  });

  it('checks the fixed part of a path with placeholders', () => {
    // Assess
    expect(existingPart('tools/cli/commands/<name>.ts')).toBe('tools/cli/commands/');
    expect(existingPart('docs/snippets/verify-in-your-lambda.ts#handler')).toBe('docs/snippets/');
    expect(namedPaths('see `lib/nope.ts` and `npm test`\n```\n`lib/in-code.ts`\n```\n')).toEqual([
      { path: 'lib/nope.ts', line: 1 },
    ]);
  });
});

describe('Docs: anchors as GitHub makes them', () => {
  it('lower-cases, drops punctuation and code marks, and numbers repeats', () => {
    // Act
    const anchors = headingAnchors(
      '# The `fluent-webhook` CLI\n## Cost and limits\n```sh\n# not a heading\n```\n## Why: this, and that?\n## Why: this, and that?\n',
    );

    // Assess
    expect([...anchors]).toEqual([
      'the-fluent-webhook-cli',
      'cost-and-limits',
      'why-this-and-that',
      'why-this-and-that-1',
    ]);
  });
});
