import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { findUpFile } from '../../lambdas/contract/package-root';

/** Names the folder where the local runner keeps its state. */
export const DATA_DIR_ENV = 'LOCAL_DATA_DIR';
/** Relative to the project; git-ignored. */
export const DEFAULT_DATA_DIR = '.local';

/**
 * The project the runner works for: the nearest folder at or above the working directory that holds a
 * package.json, as npm finds it (this repository's root for `npm start`, the user's app for an installed
 * `fluent-webhook`), else the working directory. Never the installed package's own folder.
 */
export function projectRoot(): string {
  const manifest = findUpFile(process.cwd(), ['package.json']);
  return manifest === undefined ? process.cwd() : dirname(manifest);
}

/**
 * The data folder of the local runner (keys, path secret, idempotency records, saved queues): LOCAL_DATA_DIR,
 * relative to the project, or `.local`. The CLI reads it too, to find the runner's test key.
 */
export function resolveDataDir(env: Readonly<Record<string, string | undefined>>): string {
  return resolve(projectRoot(), env[DATA_DIR_ENV]?.trim() || DEFAULT_DATA_DIR);
}

/** A path relative to the project when it lies inside it (shorter in messages), else absolute. */
export function displayPath(path: string): string {
  const inside = relative(projectRoot(), path);
  return inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}
