import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docFiles } from '../../tools/docs/doc-blocks';
import { COMMANDS } from '../../tools/cli/registry';

const ROOT = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const manifest = JSON.parse(read('package.json')) as { engines: { node: string }; scripts: Record<string, string> };

/** Every `cdk synth` command in a text: from `cdk synth` to the end of its code span, its line or its string. */
function synthCommands(text: string): string[] {
  return [...text.matchAll(/(?:npx )?cdk synth\b[^`\n"']*/g)].map((match) => match[0].trim());
}

describe('Docs: the commands and requirements they state', () => {
  const texts: Array<[string, string]> = [
    ...docFiles(ROOT).map((file): [string, string] => [file, read(file)]),
    ...COMMANDS.map((command): [string, string] => [`fluent-webhook ${command.name} --help`, command.usage]),
    ['package.json scripts', Object.values(manifest.scripts).join('\n')],
  ];

  it('finds the synth commands the pages show', () => {
    // Assess: a pattern that found nothing would pass the check below.
    expect(synthCommands(read('docs/deploying.md')).length).toBeGreaterThan(0);
    expect(synthCommands(read('docs/local-development.md')).length).toBeGreaterThan(0);
  });

  it('runs every cdk synth with -q, which keeps the template (path secret included) off the terminal and CI logs', () => {
    // Act: a bare `cdk synth` in prose names the command; one with flags or after npx is a command to run.
    const loud = texts.flatMap(([where, text]) =>
      synthCommands(text)
        .filter((command) => command !== 'cdk synth')
        .filter((command) => !/(^|\s)(-q|--quiet)(\s|$)/.test(command))
        .map((command) => `${where}: ${command}`),
    );

    // Assess
    expect(loud).toEqual([]);
  });

  it.each(['README.md', 'docs/deploying.md'])("%s states package.json's Node.js minimum, as written there", (file) => {
    // Assess
    expect(read(file)).toContain(`\`${manifest.engines.node}\``);
  });
});
