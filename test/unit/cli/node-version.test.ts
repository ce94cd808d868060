import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { satisfies } from 'semver';
import { COMMANDS } from '../../../tools/cli/registry';
import { useTempDir } from '../../support/temp-dir';
import { toolOnPath } from '../../support/tool-on-path';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'fluent-webhook.cjs');
const NEEDED = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines
  .node;
/** Where a machine's own Node.js lives, without the pinned one npm puts first on PATH (node_modules/.bin). */
const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';
/** Every way to call the CLI: each command (with no flags, so it would otherwise do its work), help and version. */
const INVOCATIONS = [...COMMANDS.map((command) => [command.name]), ['--help'], ['--version'], []];

/** The first `node` on {@link SYSTEM_PATH}, as `env -i PATH=… node` would find it. */
function systemNode(): string {
  const node = toolOnPath('node', SYSTEM_PATH);
  if (node === undefined) throw new Error(`No node on ${SYSTEM_PATH}: this suite needs the machine's own Node.js.`);
  return node;
}

describe('Program: bin/fluent-webhook.cjs checks the Node.js version before any command', () => {
  const temp = useTempDir();

  /** Runs the CLI with an empty environment but PATH, as a user's shell with only the system Node.js would. */
  function run(node: string, argv: readonly string[], preload: readonly string[] = []) {
    const result = spawnSync('/usr/bin/env', ['-i', `PATH=${SYSTEM_PATH}`, node, ...preload, BIN, ...argv], {
      cwd: temp.path(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }
  const refusal = (found: string, node: string) =>
    `fluent-webhook needs Node.js ${NEEDED}; found ${found} at ${node}.\n`;

  it.each(INVOCATIONS.map((argv) => [argv.join(' ') || '(no command)', argv]))(
    'refuses "%s" on a Node.js below the minimum with one line and exit 2, before doing anything',
    (_name, argv) => {
      // Act: the pinned Node.js, told it is 20.0.0, so that the check is exercised whatever the machine has.
      const result = run(process.execPath, argv, [
        '-e',
        "Object.defineProperty(process, 'version', { value: 'v20.0.0' }); require(process.argv[1]);",
      ]);

      // Assess
      expect(result).toEqual({ code: 2, stdout: '', stderr: refusal('v20.0.0', process.execPath) });
    },
  );

  it("answers on the machine's own Node.js: refused with the versions named when it is too old, run when not", () => {
    // Prepare
    const node = systemNode();
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();

    // Act: a Node.js that passes the check would start `local` for real, so a new enough one is asked for help.
    const enough = satisfies(version, NEEDED, { includePrerelease: true });
    const results = INVOCATIONS.map((argv) => run(node, enough ? [...argv, '--help'] : argv));

    // Assess
    if (enough) {
      expect(results.map((result) => result.code)).toEqual(INVOCATIONS.map(() => 0));
    } else {
      expect(results).toEqual(INVOCATIONS.map(() => ({ code: 2, stdout: '', stderr: refusal(version, node) })));
    }
  });

  it('runs on the pinned Node.js that npm ci installs', () => {
    // Act
    const version = run(process.execPath, ['--version']);
    const help = run(process.execPath, ['secret', '--help']);

    // Assess
    expect(satisfies(process.version, NEEDED)).toBe(true);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(help).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: fluent-webhook secret/) });
  });
});
