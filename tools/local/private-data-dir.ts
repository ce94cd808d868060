import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE } from './data-dir-lock';
import { LOCAL_KEYS_DIR } from './local-key-pair';
import { DYNAMODB_DIR, SQS_DIR } from './local-runner';
import { PATH_SECRET_FILE } from './path-secret';
import { HANDLERS_BUNDLE_DIR } from './handlers-bundle-cache';

/** What the runner's process creates from the start on: files 0600, folders 0700 (owner only). */
export const PRIVATE_UMASK = 0o077;
export const PRIVATE_FOLDER_MODE = 0o700;
/** What the runner keeps in its data folder: only these are tightened, whatever else the folder holds. */
export const DATA_DIR_ENTRIES: readonly string[] = [
  PATH_SECRET_FILE,
  LOCAL_KEYS_DIR,
  SQS_DIR,
  DYNAMODB_DIR,
  HANDLERS_BUNDLE_DIR,
  LOCK_FILE,
];

/**
 * Keeps the data folder to its owner: it holds the path secret, the test private key, and the queues' SQLite store
 * and the idempotency records with whole webhooks in them. Sets the process umask, so that everything the runner
 * and its emulators create later (fauxqs's SQLite files, dynalite's LevelDB files, the lock file) is 0600 and every
 * folder 0700, creates the folder 0700, and tightens what earlier runs left in it. Only the runner's own entries
 * are touched, and the folder itself only when it holds nothing else: LOCAL_DATA_DIR may name a shared folder.
 * Symbolic links are left alone, and so are their targets.
 */
export function makeDataDirPrivate(dataDir: string): void {
  process.umask(PRIVATE_UMASK);
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  if (readdirSync(dataDir).every((entry) => DATA_DIR_ENTRIES.includes(entry))) ownerOnly(dataDir);
  for (const entry of DATA_DIR_ENTRIES) {
    const path = join(dataDir, entry);
    if (existsSync(path)) tighten(path);
  }
}

function tighten(path: string): void {
  const stats = lstatSync(path);
  if (stats.isSymbolicLink()) return;
  ownerOnly(path);
  if (stats.isDirectory()) for (const entry of readdirSync(path)) tighten(join(path, entry));
}

/** Drops every group and other permission, keeping the owner's (a folder keeps its x, a file gets none it lacked). */
function ownerOnly(path: string): void {
  const mode = lstatSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) chmodSync(path, mode & 0o700);
}
