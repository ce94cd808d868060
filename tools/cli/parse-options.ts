import { readFileSync } from 'node:fs';
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

/** Reads a file the user named, as exact bytes, or throws a {@link UsageError} saying why it cannot be read. */
export function readUserFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new UsageError(`--${flag} ${path}: the file ${why}.`, { cause: error });
  }
}
