import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The path of an executable as a shell would find it on PATH, or undefined when it is not installed. */
export function toolOnPath(name: string, path: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter((entry) => entry !== '')) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/**
 * Says, on a line of its own in the test output, that a check did not run and why: an optional tool is missing.
 * Written to stderr directly, so that it shows in every jest reporter and CI log, never as a silent pass.
 */
export function reportSkipped(why: string): void {
  process.stderr.write(`SKIPPED: ${why}\n`);
}
