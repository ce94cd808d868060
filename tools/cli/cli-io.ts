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
}

/** The real terminal. */
export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
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
