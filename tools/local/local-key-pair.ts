import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bufferedIo } from '../cli/cli-io';
import { ExitCode } from '../cli/command';
import { KEYGEN_FILES, keygenCommand } from '../cli/commands/keygen';

/** Where the local runner keeps its test key pair, inside the data folder. */
export const LOCAL_KEYS_DIR = 'keys';

export interface LocalKeyPair {
  readonly dir: string;
  readonly publicKeyPath: string;
  readonly privateKeyPath: string;
  /** True when this start created the pair. */
  readonly created: boolean;
}

/** The paths of the local test key pair in `dataDir`, whether or not it exists yet. */
export function localKeyPairPaths(dataDir: string): Omit<LocalKeyPair, 'created'> {
  const dir = join(dataDir, LOCAL_KEYS_DIR);
  return {
    dir,
    publicKeyPath: join(dir, KEYGEN_FILES.publicKeyBase64),
    privateKeyPath: join(dir, KEYGEN_FILES.privateKeyPem),
  };
}

/**
 * Returns the local test key pair, creating it with `fluent-webhook keygen` on first use. Local runs
 * without FLUENT_PUBLIC_KEYS verify against it, and `fluent-webhook send` signs with it by default.
 */
export async function ensureLocalKeyPair(dataDir: string): Promise<LocalKeyPair> {
  const paths = localKeyPairPaths(dataDir);
  if (existsSync(paths.publicKeyPath) && existsSync(paths.privateKeyPath)) return { ...paths, created: false };
  const io = bufferedIo();
  const code = await keygenCommand.run(['--out', paths.dir, '--force'], io);
  if (code !== ExitCode.OK) {
    throw new Error(`Could not create the local test key pair in ${paths.dir}: ${io.stderr().trim()}`);
  }
  return { ...paths, created: true };
}
