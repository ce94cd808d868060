/**
 * Where a command writes and what it reads from its surroundings. Commands never touch `process` directly,
 * so tests run them in-process and read back what they printed.
 */
export interface CliIo {
  /** Writes one line (a newline is added) to standard output: the command's result. */
  out(line: string): void;
  /** Writes one line to standard error: problems, hints and progress. */
  err(line: string): void;
  /** Environment variables the command may read (for example receiver settings). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Shows a progress line in place on a terminal (standard error), replacing the previous one; absent when standard
   * error is not a terminal, so logs and pipes get only the final summary.
   */
  readonly progress?: (line: string) => void;
  /**
   * Calls `stop` on the first Ctrl-C (SIGINT) instead of ending the process, so a long command can stop between two
   * steps and say how to resume; a second Ctrl-C ends it at once. Returns a function that removes the handler.
   */
  readonly onInterrupt?: (stop: () => void) => () => void;
}

/** The real terminal. */
export function processIo(): CliIo {
  let progressShown = false;
  const clearProgress = () => {
    if (progressShown) process.stderr.write('\r\u001b[2K');
    progressShown = false;
  };
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => {
      clearProgress();
      process.stderr.write(`${line}\n`);
    },
    env: process.env,
    ...(process.stderr.isTTY
      ? {
          progress: (line: string) => {
            process.stderr.write(`\r\u001b[2K${line}`);
            progressShown = true;
          },
        }
      : {}),
    onInterrupt: (stop) => {
      const first = () => {
        process.once('SIGINT', () => process.exit(130));
        stop();
      };
      process.once('SIGINT', first);
      return () => process.off('SIGINT', first);
    },
  };
}

/** An in-memory {@link CliIo} for tests: everything printed is kept and can be read back as text. */
export interface BufferedIo extends CliIo {
  /** Everything written with `out`, one line per call, each ending in a newline. */
  stdout(): string;
  /** Everything written with `err`. */
  stderr(): string;
}

export function bufferedIo(env: Readonly<Record<string, string | undefined>> = {}): BufferedIo {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return {
    out: (line) => outLines.push(`${line}\n`),
    err: (line) => errLines.push(`${line}\n`),
    env,
    stdout: () => outLines.join(''),
    stderr: () => errLines.join(''),
  };
}
