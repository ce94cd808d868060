import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../cli/registry';

/**
 * Code blocks in the docs that are copies of something real, refreshed by `npm run docs` and checked by
 * test/docs: a marker line names the source, and the fenced block right after it must equal that source.
 *
 *   <!-- include: handlers/examples/notify-warehouse.ts -->       the whole file
 *   <!-- include: docs/snippets/verify-in-lambda.ts#handler -->  the lines between `// #region handler` and
 *                                                                `// #endregion` in that file
 *   <!-- usage: send -->                                         the `usage` text of a CLI command
 */
const MARKER = /^<!-- (include|usage): (\S+?) -->\n(\n?)(`{3,})([a-z]*)\n(?:[\s\S]*?\n)??\4\n/gm;

/** Every Markdown file of the docs, relative to the repository root. */
export function docFiles(root: string): string[] {
  const pages = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join('docs', name));
  return ['README.md', 'CONTRIBUTING.md', ...pages];
}

/** The text a marker stands for, without its trailing newline. Throws naming the marker when it has no source. */
export function blockSource(kind: string, target: string, root: string): string {
  if (kind === 'usage') {
    const command = COMMANDS.find((candidate) => candidate.name === target);
    if (command === undefined) {
      throw new Error(
        `<!-- usage: ${target} --> names no command; commands: ${COMMANDS.map((c) => c.name).join(', ')}.`,
      );
    }
    return command.usage;
  }
  const [path = '', region] = target.split('#');
  const text = readFileSync(join(root, path), 'utf8').replace(/\n$/, '');
  return region === undefined ? text : regionOf(text, region, path);
}

function regionOf(text: string, region: string, path: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${region}`);
  const end = lines.findIndex((line, index) => index > start && line.trim() === '// #endregion');
  if (start < 0 || end < 0) {
    throw new Error(`${path} has no "// #region ${region}" ... "// #endregion" pair.`);
  }
  return lines.slice(start + 1, end).join('\n');
}

/** The page with every marked block replaced by its current source. */
export function syncBlocks(markdown: string, root: string): string {
  return markdown.replace(
    MARKER,
    (_match, kind: string, target: string, gap: string, fence: string, language: string) =>
      `<!-- ${kind}: ${target} -->\n${gap}${fence}${language}\n${blockSource(kind, target, root)}\n${fence}\n`,
  );
}

/** Fenced TypeScript blocks that no marker ties to a real file: each must be one (see the header). */
export function untiedTypeScriptBlocks(markdown: string): number[] {
  const lines = markdown.split('\n');
  const untied: number[] = [];
  let fence: string | undefined;
  lines.forEach((line, index) => {
    const opening = /^(`{3,})(\w*)/.exec(line);
    if (fence === undefined && opening !== null) {
      fence = opening[1];
      const language = opening[2] ?? '';
      const previous = lines[index - 1] === '' ? lines[index - 2] : lines[index - 1];
      const tied = /^<!-- include: \S+ -->$/.test(previous ?? '');
      if (/^(ts|typescript|tsx)$/.test(language) && !tied) untied.push(index + 1);
    } else if (fence !== undefined && line === fence) {
      fence = undefined;
    }
  });
  return untied;
}
