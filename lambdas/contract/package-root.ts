import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The path of the nearest file named one of `names` in `start` or a folder above it, or undefined: how npm and
 * CDK find a project, by walking up rather than by assuming how deep a file sits.
 */
export function findUpFile(start: string, names: readonly string[]): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const found = names.map((name) => join(dir, name)).find((path) => existsSync(path));
    if (found !== undefined) return found;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * This package's folder: the checkout's root when run from source (`lambdas/contract/`), the installed package's
 * folder when run as built JavaScript (`dist/lambdas/contract/` in `node_modules/fluent-webhook-receiver/`).
 * The Lambda sources, the example handlers and the samples are found from here.
 */
export const PACKAGE_ROOT = dirname(
  findUpFile(__dirname, ['package.json']) ?? join(__dirname, '..', '..', 'package.json'),
);
