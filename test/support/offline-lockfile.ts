import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** One entry of a v3 package-lock.json's `packages`, keyed by its install location (`node_modules/a/node_modules/b`). */
interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { optional?: boolean }>>;
  readonly [field: string]: unknown;
}
interface Lockfile {
  readonly lockfileVersion: number;
  readonly packages: Readonly<Record<string, LockEntry>>;
}

/** What the fresh project installs: the packed tarball and, for a CDK app, some of the packages our lock pins. */
export interface OfflineProject {
  /** The tarball `npm pack` wrote. */
  readonly tarball: string;
  /** The tarball's path as the project's package.json names it (relative to the project, `file:` prefix added). */
  readonly tarballSpec: string;
  /** The package.json of the package that was packed. */
  readonly manifest: LockEntry & {
    readonly name: string;
    readonly version: string;
    readonly dependencies?: Readonly<Record<string, string>>;
  };
  /** Further top-level dependencies, installed at the version our own lock pins (for example the peers). */
  readonly alsoInstall: readonly string[];
}

/**
 * A package.json and a package-lock.json for a fresh project that installs the packed package, pinned to exactly
 * the versions this repository's own lock file resolved, so that `npm ci --offline` installs it from the cache
 * that `npm ci` filled. (A plain `npm install --offline <tarball>` would ask for full registry documents, which
 * `npm ci` never caches.) Only the packages reachable from the tarball's dependencies and `alsoInstall` are kept.
 */
export function offlineProject(ourLock: Lockfile, project: OfflineProject): { manifest: object; lock: object } {
  const { manifest } = project;
  const rootDependencies: Record<string, string> = { [manifest.name]: project.tarballSpec };
  for (const name of project.alsoInstall) rootDependencies[name] = versionAt(ourLock, `node_modules/${name}`);

  const alsoInstalled = Object.fromEntries(project.alsoInstall.map((name) => [name, '']));
  const packages: Record<string, LockEntry> = {};
  const visit = (from: string, dependencies: Readonly<Record<string, string>>): void => {
    for (const name of Object.keys(dependencies)) {
      const location = resolveIn(ourLock, from, name);
      if (location === undefined || packages[location] !== undefined) continue;
      const {
        dev: _dev,
        devOptional: _devOptional,
        peer: _peer,
        optional: _optional,
        ...entry
      } = ourLock.packages[location]!;
      packages[location] = entry;
      visit(location, { ...entry.dependencies, ...entry.optionalDependencies, ...requiredPeers(entry) });
    }
  };
  visit('', { ...manifest.dependencies, ...manifest.optionalDependencies, ...alsoInstalled });
  // npm ci --omit=optional leaves out what the lock marks optional: whatever only optional dependencies lead to.
  const required = new Set<string>();
  const markRequired = (from: string, dependencies: Readonly<Record<string, string>>): void => {
    for (const name of Object.keys(dependencies)) {
      const location = resolveIn(ourLock, from, name);
      if (location === undefined || required.has(location)) continue;
      required.add(location);
      markRequired(location, { ...packages[location]!.dependencies, ...requiredPeers(packages[location]!) });
    }
  };
  markRequired('', { ...manifest.dependencies, ...alsoInstalled });
  for (const [location, entry] of Object.entries(packages)) {
    if (!required.has(location)) packages[location] = { ...entry, optional: true };
  }

  const packageEntry: LockEntry = {
    version: manifest.version,
    resolved: project.tarballSpec,
    integrity: `sha512-${createHash('sha512').update(readFileSync(project.tarball)).digest('base64')}`,
    ...pick(manifest, [
      'license',
      'dependencies',
      'optionalDependencies',
      'peerDependencies',
      'peerDependenciesMeta',
      'bin',
      'engines',
    ]),
  };
  const name = `packed-${basename(project.tarball, '.tgz')}-consumer`;
  return {
    manifest: { name, version: '1.0.0', private: true, dependencies: rootDependencies },
    lock: {
      name,
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name, version: '1.0.0', dependencies: rootDependencies },
        [`node_modules/${manifest.name}`]: packageEntry,
        ...packages,
      },
    },
  };
}

/** Where Node (and npm) find `name` from the package installed at `from`: the nearest node_modules up the path. */
function resolveIn(lock: Lockfile, from: string, name: string): string | undefined {
  for (let base = from; ; base = base.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
    const location = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (lock.packages[location] !== undefined) return location;
    if (base === '') return undefined;
  }
}

function requiredPeers(entry: LockEntry): Record<string, string> {
  const peers = { ...entry.peerDependencies };
  for (const [name, meta] of Object.entries(entry.peerDependenciesMeta ?? {})) if (meta.optional) delete peers[name];
  return peers;
}

function versionAt(lock: Lockfile, location: string): string {
  const version = lock.packages[location]?.version;
  if (version === undefined) throw new Error(`package-lock.json pins no ${location}; install it as a devDependency.`);
  return version;
}

function pick(source: LockEntry, fields: readonly string[]): Partial<LockEntry> {
  return Object.fromEntries(
    fields.filter((field) => source[field] !== undefined).map((field) => [field, source[field]]),
  );
}
