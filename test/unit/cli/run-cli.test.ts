import { bufferedIo } from '../../../tools/cli/cli-io';
import { CliCommand, ExitCode, UsageError } from '../../../tools/cli/command';
import { COMMANDS } from '../../../tools/cli/registry';
import { programHelp, runCli } from '../../../tools/cli/run-cli';

describe('Function: runCli', () => {
  it.each([['--help'], ['-h'], ['help']])('prints the command list on stdout for %s and exits 0', async (flag) => {
    // Prepare
    const io = bufferedIo();

    // Act
    const code = await runCli([flag], io);

    // Assess
    expect(code).toBe(ExitCode.OK);
    expect(io.stdout()).toBe(`${programHelp()}\n`);
    for (const command of COMMANDS) expect(io.stdout()).toContain(`  ${command.name}  `);
  });

  it('prints the command list on stderr and exits 2 when no command is given', async () => {
    // Prepare
    const io = bufferedIo();

    // Act
    const code = await runCli([], io);

    // Assess
    expect(code).toBe(ExitCode.USAGE);
    expect(io.stdout()).toBe('');
    expect(io.stderr()).toContain('Commands:');
  });

  it.each([[['frob']], [['help', 'frob']]])(
    'exits 2 naming the unknown command and listing the known ones for %j',
    async (argv) => {
      // Prepare
      const io = bufferedIo();

      // Act
      const code = await runCli(argv, io);

      // Assess
      expect(code).toBe(ExitCode.USAGE);
      expect(io.stderr()).toContain('unknown command "frob"');
      expect(io.stderr()).toContain(programHelp());
    },
  );

  it.each(COMMANDS.map((command) => [command.name]))(
    'prints the usage of %s for --help, -h and help <command>',
    async (name) => {
      // Prepare
      const command = COMMANDS.find((candidate) => candidate.name === name) as CliCommand;

      for (const argv of [
        [name, '--help'],
        [name, '-h'],
        ['help', name],
        [name, '--bogus', '--help'],
      ]) {
        const io = bufferedIo();

        // Act
        const code = await runCli(argv, io);

        // Assess
        expect(code).toBe(ExitCode.OK);
        expect(io.stdout()).toBe(`${command.usage}\n`);
        expect(command.usage).toMatch(new RegExp(`^Usage: fluent-webhook ${name}\\b`));
      }
    },
  );

  it('gives every command a unique name and a one-line summary', () => {
    // Act
    const names = COMMANDS.map((command) => command.name);

    // Assess
    expect(new Set(names).size).toBe(names.length);
    for (const command of COMMANDS) expect(command.summary).not.toContain('\n');
  });

  describe('with a command that fails', () => {
    const failing = (error: unknown): CliCommand => ({
      name: 'fail',
      summary: 'Fails.',
      usage: 'Usage: fluent-webhook fail',
      run: async () => {
        throw error;
      },
    });

    it('exits 2 with the message and a pointer to --help for a usage error', async () => {
      // Prepare
      const io = bufferedIo();

      // Act
      const code = await runCli(['fail'], io, [failing(new UsageError('--thing is required.'))]);

      // Assess
      expect(code).toBe(ExitCode.USAGE);
      expect(io.stderr()).toBe(
        'fluent-webhook fail: --thing is required.\nRun "fluent-webhook fail --help" for usage.\n',
      );
    });

    it('exits 1 with the message for any other error', async () => {
      // Prepare
      const io = bufferedIo();

      // Act
      const code = await runCli(['fail'], io, [failing(new Error('disk full'))]);

      // Assess
      expect(code).toBe(ExitCode.FAILED);
      expect(io.stderr()).toBe('fluent-webhook fail failed: disk full\n');
    });

    it('passes arguments after -- through without treating --help there as a help request', async () => {
      // Prepare
      const io = bufferedIo();
      const seen: string[][] = [];
      const echo: CliCommand = {
        name: 'echo',
        summary: 'Echoes.',
        usage: 'Usage: fluent-webhook echo',
        run: (argv) => (seen.push([...argv]), ExitCode.OK),
      };

      // Act
      const code = await runCli(['echo', '--', '--help'], io, [echo]);

      // Assess
      expect(code).toBe(ExitCode.OK);
      expect(seen).toEqual([['--', '--help']]);
    });
  });
});
