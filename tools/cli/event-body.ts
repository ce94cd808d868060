import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PACKAGE_ROOT } from '../../lambdas/contract/package-root';
import { UsageError } from './command';
import { readUserFile } from './parse-options';

/** The sample events shipped with the repository, one `<name>.json` each. */
export const SAMPLES_DIR = join(PACKAGE_ROOT, 'samples');

export function sampleNames(): string[] {
  if (!existsSync(SAMPLES_DIR)) return [];
  return readdirSync(SAMPLES_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => basename(file, '.json'))
    .sort();
}

/**
 * The exact bytes of the event a command signs: the file named with `--<fileFlag>`, or `samples/<sample>.json`.
 * Exactly one of the two must be given.
 */
export function readEventBody(fileFlag: string, file: string | undefined, sample: string | undefined): Buffer {
  if ((file === undefined) === (sample === undefined)) {
    throw new UsageError(`give exactly one of --${fileFlag} FILE and --sample NAME.`);
  }
  if (file !== undefined) return readUserFile(file, fileFlag);
  const name = basename(sample!, '.json');
  const path = join(SAMPLES_DIR, `${name}.json`);
  if (!existsSync(path)) {
    throw new UsageError(`--sample ${sample}: no such sample; choose one of ${sampleNames().join(', ')}.`);
  }
  return readUserFile(path, 'sample');
}
