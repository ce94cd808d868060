import { isAbsolute, relative, resolve } from 'node:path';

/** The repository checkout: the data folder and `samples/` are found relative to it. */
export const REPOSITORY_ROOT = resolve(__dirname, '..', '..');
/** Names the folder where the local runner keeps its state. */
export const DATA_DIR_ENV = 'LOCAL_DATA_DIR';
/** Relative to the repository root; git-ignored. */
export const DEFAULT_DATA_DIR = '.local';

/**
 * The data folder of the local runner (keys, path secret, idempotency records, saved queues): LOCAL_DATA_DIR,
 * relative to the repository root, or `.local`. The CLI reads it too, to find the runner's test key.
 */
export function resolveDataDir(env: Readonly<Record<string, string | undefined>>): string {
  return resolve(REPOSITORY_ROOT, env[DATA_DIR_ENV]?.trim() || DEFAULT_DATA_DIR);
}

/** A path relative to the repository when it lies inside it (shorter in messages), else absolute. */
export function displayPath(path: string): string {
  const inside = relative(REPOSITORY_ROOT, path);
  return inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}
