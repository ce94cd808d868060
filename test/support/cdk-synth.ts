import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * An environment without AWS credentials, profiles or network lookups: what CI has. Only PATH and HOME are kept,
 * so nothing from the developer's shell (AWS_PROFILE, proxies) leaks in.
 */
export function offlineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/** `cdk synth` of this repository's app, offline, into `outdir`, with `context` as `-c` pairs. */
export function cdkSynth(
  outdir: string,
  context: Record<string, string>,
  timeoutMs = 110_000,
): SpawnSyncReturns<string> {
  return spawnSync(
    join(ROOT, 'node_modules', '.bin', 'cdk'),
    [
      'synth',
      '--quiet',
      '--no-notices',
      '--output',
      outdir,
      ...Object.entries(context).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, env: offlineEnv() },
  );
}

/** A cloud assembly of this repository's app, synthesized with a key pair and path secret the tests know. */
export interface SynthesizedApp {
  /** The cdk.out folder. */
  readonly dir: string;
  readonly stackName: string;
  readonly templateFile: string;
  readonly pathSecret: string;
  readonly privateKeyPem: string;
}

export const SYNTH_PATH_SECRET = 'appSecret_0123456789abcdefghijklmnop';
export const SYNTH_ACCOUNT_ID = 'ACME';
const STACK_NAME = 'FluentWebhooks-ci';
/** Bundling and cdk-nag take seconds alone, minutes on two cores shared with the other suites. */
export const SYNTH_TIMEOUT_MS = 240_000;
/** What a synthesized template depends on: a change to any of these synthesizes afresh. */
const SOURCES = ['bin', 'lib', 'lambdas', 'handlers', 'cdk.json', 'package-lock.json'];

/**
 * `cdk synth -c env=ci` with `context` (`{ ingress: 'queue-first' }`), done once per source tree and kept in the OS
 * temp folder, so the suites that run a template share one synthesis (bundling takes seconds). The key pair is
 * made with it and kept beside it.
 */
export function synthesizedApp(context: Record<string, string> = {}): SynthesizedApp {
  const key = createHash('sha256').update(JSON.stringify(context)).update(sourceDigest()).digest('hex').slice(0, 16);
  const home = join(tmpdir(), 'fluent-webhook-synth-cache', key);
  const app = (): SynthesizedApp => ({
    dir: join(home, 'cdk.out'),
    stackName: STACK_NAME,
    templateFile: `${STACK_NAME}.template.json`,
    pathSecret: SYNTH_PATH_SECRET,
    privateKeyPem: readFileSync(join(home, 'private-key.pem'), 'utf8'),
  });
  if (existsSync(join(home, 'cdk.out', 'manifest.json'))) return app();
  // One synthesis at a time per variant: suites start together, and two synths on two cores take twice as long.
  const lock = `${home}.lock`;
  const deadline = Date.now() + SYNTH_TIMEOUT_MS;
  while (!tryLock(lock)) {
    if (existsSync(join(home, 'cdk.out', 'manifest.json'))) return app();
    if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
  }
  try {
    if (!existsSync(join(home, 'cdk.out', 'manifest.json'))) synthesizeInto(home, context);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return app();
}

/** Synthesizes with a fresh key pair into `home`, built beside it and renamed into place. */
function synthesizeInto(home: string, context: Record<string, string>): void {
  const building = `${home}.${process.pid}.building`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(building, 'private-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const run = cdkSynth(
    join(building, 'cdk.out'),
    {
      env: 'ci',
      accountIds: SYNTH_ACCOUNT_ID,
      publicKeys: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      pathSecret: SYNTH_PATH_SECRET,
      ...context,
    },
    SYNTH_TIMEOUT_MS,
  );
  if (run.status !== 0) {
    rmSync(building, { recursive: true, force: true });
    throw new Error(`cdk synth failed (exit ${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  }
  renameSync(building, home);
}

function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock, { recursive: false });
    return true;
  } catch {
    return false;
  }
}

/**
 * A copy of `app` whose template `change` edits: the manifest and the changed template, the assets linked. For
 * negative controls, which must fail the way AWS would fail the same template.
 */
export function changedCopy(app: SynthesizedApp, dir: string, change: (template: CfnTemplateJson) => void): string {
  mkdirSync(dir, { recursive: true });
  cpSync(join(app.dir, 'manifest.json'), join(dir, 'manifest.json'));
  for (const entry of readdirSync(app.dir)) {
    if (entry.startsWith('asset.')) symlinkSync(join(app.dir, entry), join(dir, entry));
  }
  const template = JSON.parse(readFileSync(join(app.dir, app.templateFile), 'utf8')) as CfnTemplateJson;
  change(template);
  writeFileSync(join(dir, app.templateFile), JSON.stringify(template));
  return dir;
}

/** A template as JSON, for tests that edit it. */
export interface CfnTemplateJson {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

/** A digest of every file the synthesized template depends on (names, sizes and modification times). */
function sourceDigest(): string {
  const hash = createHash('sha256');
  const walk = (path: string): void => {
    const stats = statSync(path);
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    } else {
      hash.update(`${relative(ROOT, path)}:${stats.size}:${stats.mtimeMs}\n`);
    }
  };
  for (const source of SOURCES) if (existsSync(join(ROOT, source))) walk(join(ROOT, source));
  return hash.digest('hex');
}
