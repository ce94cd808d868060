import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from './package-root';

// A project that only verifies signatures installs the package with `npm install fluent-webhook-receiver
// --omit=optional`: zod and nothing else. What the Lambdas bundle (esbuild, the AWS SDK clients, Powertools) are
// optional dependencies, which a plain install brings; the local runner's emulators are optional peers, which a
// project adds when it wants `fluent-webhook local` (one of them, fauxqs, needs Node.js 22.5, and npm drops an optional
// dependency whose engines do not match, so they cannot be optional dependencies of a repository that installs on
// Node.js 20). Each part that needs them checks for them before loading anything, and says in one line what to run.

/** The packages the Lambdas are bundled with at synth (esbuild) and bundle in (the AWS SDK clients, Powertools). */
const LAMBDA_BUNDLE_PACKAGES = [
  'esbuild',
  '@aws-lambda-powertools/batch',
  '@aws-lambda-powertools/idempotency',
  '@aws-lambda-powertools/logger',
  '@aws-lambda-powertools/metrics',
  '@aws-sdk/client-cloudwatch',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-sqs',
  '@aws-sdk/lib-dynamodb',
] as const;

/**
 * What the local runner runs on: the Lambdas' code, in-process, on the SQS and DynamoDB emulators and a Fluent
 * stand-in; and semver, with which bin/fluent-webhook.cjs checks the Node.js version the emulators need (it skips
 * the check where semver is absent, a verifier-only install, where the runner cannot start anyway).
 */
const LOCAL_RUNNER_PACKAGES = [
  ...LAMBDA_BUNDLE_PACKAGES,
  'graphql',
  'dynalite',
  'fauxqs',
  'light-my-request',
  'velocityjs',
  'semver',
] as const;

/** Each part of the package that needs packages a light install leaves out, and which. */
export const OPTIONAL_PACKAGES = {
  /** `fluent-webhook-receiver/cdk`: the constructs bundle the Lambdas in the project that installed the package. */
  'fluent-webhook-receiver/cdk': LAMBDA_BUNDLE_PACKAGES,
  /** `fluent-webhook local`. */
  'fluent-webhook local': LOCAL_RUNNER_PACKAGES,
  /** `history`, `replay` and `reconcile` without `--stack`: the local runner's data, through its emulator. */
  "the local runner's history": LOCAL_RUNNER_PACKAGES,
  /** `history`, `replay` and `reconcile` with `--stack`: the stack's outputs, its history table and bucket. */
  "the stack's history": [
    '@aws-sdk/client-cloudformation',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/client-s3',
    '@aws-sdk/lib-dynamodb',
  ],
  /** `fluent-webhook redrive`: SQS calls. */
  'fluent-webhook redrive': ['@aws-sdk/client-sqs'],
  /** `fluent-webhook replay`: sends to the queue. */
  'fluent-webhook replay': ['@aws-sdk/client-sqs'],
  /** `fluent-webhook reconcile`: sends to the reconciliation queue, reads the Fluent credentials' secret. */
  'fluent-webhook reconcile': ['@aws-sdk/client-sqs', '@aws-sdk/client-secrets-manager'],
} as const;

/** A part of the package that needs packages a light install leaves out. */
export type OptionalPart = keyof typeof OPTIONAL_PACKAGES;

/**
 * The packages of `part` that Node cannot find from any of `from` (this package's folder by default), in the order
 * listed: looked up in every `node_modules` folder up from each, as `require` looks, without loading them (a package
 * that is present but broken fails later, with its own error).
 */
export function missingOptionalPackages(part: OptionalPart, from: string | readonly string[] = PACKAGE_ROOT): string[] {
  const folders: string[] = [];
  for (const start of typeof from === 'string' ? [from] : from) {
    for (let dir = start; ; dir = dirname(dir)) {
      folders.push(join(dir, 'node_modules'));
      if (dirname(dir) === dir) break;
    }
  }
  return OPTIONAL_PACKAGES[part].filter(
    (name) => !folders.some((folder) => existsSync(join(folder, name, 'package.json'))),
  );
}

/**
 * The npm command that adds `missing`: the optional dependencies a `--omit=optional` install left out come back
 * with `--include=optional`; optional peers are named with the versions this package was tested with.
 */
export function installCommand(missing: readonly string[], manifestPath = join(PACKAGE_ROOT, 'package.json')): string {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const peers = missing.filter((name) => manifest.peerDependencies?.[name] !== undefined);
  const omitted = missing.some((name) => manifest.optionalDependencies?.[name] !== undefined);
  const words = ['npm install', ...(omitted ? ['--include=optional'] : [])];
  if (peers.length > 0) words.push('--save-dev', ...peers.map((name) => `${name}@${manifest.peerDependencies![name]}`));
  return words.join(' ');
}

/** Throws one line naming what `part` lacks and the command that installs it; returns when nothing is missing. */
export function requireOptionalPackages(part: OptionalPart, from: string | readonly string[] = PACKAGE_ROOT): void {
  const missing = missingOptionalPackages(part, from);
  if (missing.length === 0) return;
  const named =
    missing.length <= 3 ? missing.join(', ') : `${missing.slice(0, 3).join(', ')} and ${missing.length - 3} more`;
  throw new Error(
    `${part} needs packages this project has not installed (${named}); run "${installCommand(missing)}".`,
  );
}
