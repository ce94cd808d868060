import { existsSync, readFileSync, statSync } from 'node:fs';
import { InvalidPublicKeyError } from './errors';

/** One configured key before parsing: its text and a label that names it in messages. */
export interface KeySource {
  /** The key: Fluent's base64, or PEM. */
  readonly text: string;
  /** Names the key in messages: `entry N`, or the file's path. */
  readonly label: string;
}

const INLINE_KEY = /^(-----BEGIN |[A-Za-z0-9+/]{40,}={0,2}$)/;

/**
 * Turns configured key entries into key texts. An entry is a key itself (Fluent's base64, or PEM) or the
 * path of a file holding one. Entries come one per array item, or comma-separated in one string.
 */
export function resolveKeySources(entries: string | readonly string[]): KeySource[] {
  const list = typeof entries === 'string' ? splitList(entries) : entries.flatMap(splitList);
  return list.map((entry, index) => {
    const label = `entry ${index + 1}`;
    if (INLINE_KEY.test(entry.replace(/\s+/g, '')) || entry.startsWith('-----BEGIN ')) {
      return { text: entry, label };
    }
    if (!existsSync(entry)) {
      throw new InvalidPublicKeyError(
        `${label} (${entry})`,
        'is neither a key (base64 or PEM) nor the path of an existing file.',
      );
    }
    return { text: readKeyFile(entry, label), label: entry };
  });
}

/** Reads a key file; a directory, a special file or an unreadable file is a configuration error naming the entry. */
function readKeyFile(path: string, label: string): string {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    throw new InvalidPublicKeyError(
      `${label} (${path})`,
      `cannot be read (${(error as NodeJS.ErrnoException).code}).`,
      {
        cause: error,
      },
    );
  }
  // A FIFO or a device would block the read, or never end it.
  if (!stats.isFile()) {
    const what = stats.isDirectory() ? 'a directory' : 'not a regular file';
    throw new InvalidPublicKeyError(`${label} (${path})`, `is ${what}; give a key, or the path of a file holding one.`);
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidPublicKeyError(
      `${label} (${path})`,
      `cannot be read (${(error as NodeJS.ErrnoException).code}).`,
      {
        cause: error,
      },
    );
  }
}

/** Splits a comma-separated list, trimming blanks. PEM and base64 never contain commas. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}
