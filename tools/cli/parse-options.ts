import { readFileSync, statSync } from 'node:fs';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { UsageError } from './command';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's flags strictly (no positionals, no unknown flags) with `node:util` parseArgs,
 * turning its errors into {@link UsageError}.
 */
export function parseOptions<T extends OptionsConfig>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

/** Returns a flag's value or throws a {@link UsageError} naming the missing flag. */
export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) {
    throw new UsageError(`--${flag} is required.`);
  }
  return value;
}

/**
 * Reads a file the user named, as exact bytes, or throws a {@link UsageError} saying why it cannot be read. Only
 * regular files: reading a FIFO or a device (`/dev/stdin` left open, `/dev/zero`) would wait or never end.
 */
export function readUserFile(path: string, flag: string): Buffer {
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw new UsageError(`--${flag} ${path}: the file is a directory.`);
    if (!stats.isFile()) throw new UsageError(`--${flag} ${path}: not a regular file.`);
    return readFileSync(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`;
    throw new UsageError(`--${flag} ${path}: the file ${why}.`, { cause: error });
  }
}
