import type { CliIo } from './cli-io';

/** Process exit codes every command uses. */
export const ExitCode = {
  /** Done; for `verify`: the signature is valid. */
  OK: 0,
  /** The command ran but the answer is no (for `verify`: the signature is not valid) or the work failed. */
  FAILED: 1,
  /** The command was called wrongly: unknown flag, missing flag, unreadable file, unusable key. */
  USAGE: 2,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * One CLI command. Add a command by writing `commands/<name>.ts` that exports one of these and listing it
 * in `registry.ts`. `--help` and `-h` are handled for every command by the dispatcher, which prints `usage`.
 */
export interface CliCommand {
  /** What the user types after `fluent-webhook`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full help text: a `Usage:` line, then what each flag does. */
  readonly usage: string;
  /**
   * Runs the command with the arguments after its name and returns the exit code. Throw {@link UsageError}
   * for a call that cannot work as given (the dispatcher prints it and exits 2); return `ExitCode.FAILED`
   * after explaining the problem on `io.err` for a well-formed call whose answer is no.
   */
  run(argv: readonly string[], io: CliIo): ExitCodeValue | Promise<ExitCodeValue>;
}

/** The command was called wrongly; the message says what to change. Exit code 2. */
export class UsageError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}
