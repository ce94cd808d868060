import type { CliIo } from './cli-io';
import { CliCommand, ExitCode, ExitCodeValue, UsageError } from './command';
import { packageVersion } from './package-version';
import { COMMANDS } from './registry';

export const PROGRAM_NAME = 'fluent-webhook';
const HELP_FLAGS = ['--help', '-h'];
const VERSION_FLAGS = ['--version', '-v'];

/**
 * Runs `fluent-webhook <command> [flags]` and returns the exit code. Handles help and unknown commands,
 * and turns a command's {@link UsageError} into exit code 2 and any other error into exit code 1.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CliCommand[] = COMMANDS,
): Promise<ExitCodeValue> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(programHelp(commands));
    return ExitCode.USAGE;
  }
  if (HELP_FLAGS.includes(name) || name === 'help') {
    return showHelp(rest[0], io, commands);
  }
  if (VERSION_FLAGS.includes(name)) {
    io.out(packageVersion());
    return ExitCode.OK;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.err(`${PROGRAM_NAME}: unknown command "${name}".\n`);
    io.err(programHelp(commands));
    return ExitCode.USAGE;
  }
  if (asksForHelp(rest)) {
    io.out(command.usage);
    return ExitCode.OK;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${PROGRAM_NAME} ${command.name}: ${error.message}`);
      io.err(`Run "${PROGRAM_NAME} ${command.name} --help" for usage.`);
      return ExitCode.USAGE;
    }
    io.err(`${PROGRAM_NAME} ${command.name} failed: ${(error as Error).message ?? String(error)}`);
    return ExitCode.FAILED;
  }
}

/** The top-level help: what the program is for and one line per command. */
export function programHelp(commands: readonly CliCommand[] = COMMANDS): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    `Usage: ${PROGRAM_NAME} <command> [options]`,
    '',
    'Debug Fluent Commerce webhooks: make test keys, sign bodies like Fluent, verify signatures.',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    `Run "${PROGRAM_NAME} <command> --help" for a command's options, "${PROGRAM_NAME} --version" for the version.`,
  ].join('\n');
}

function showHelp(topic: string | undefined, io: CliIo, commands: readonly CliCommand[]): ExitCodeValue {
  if (topic === undefined) {
    io.out(programHelp(commands));
    return ExitCode.OK;
  }
  const command = commands.find((candidate) => candidate.name === topic);
  if (command === undefined) {
    io.err(`${PROGRAM_NAME}: unknown command "${topic}".\n`);
    io.err(programHelp(commands));
    return ExitCode.USAGE;
  }
  io.out(command.usage);
  return ExitCode.OK;
}

/** `--help` anywhere before a `--` terminator. */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => HELP_FLAGS.includes(arg));
}
