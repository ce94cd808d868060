import { dirname, join } from 'node:path';
import { type Duration, FeatureFlags, Stack } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { BundlingOptions, NodejsFunction, NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { LAMBDA_NODEJS_SDK_V3_EXCLUDE_SMITHY_PACKAGES } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { findUpFile, PACKAGE_ROOT } from '../../lambdas/contract/package-root';
import { requireOptionalPackages } from '../../lambdas/contract/optional-packages';
import { withLazyModules } from './lazy-modules';

/** The lock files `NodejsFunction` knows, in the order it prefers them. */
const LOCK_FILES = ['pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb', 'package-lock.json'];

/** The lock file of the project a file or folder lies in: the first folder up from it that holds one. */
export function findProjectLockFile(path: string): string | undefined {
  return findUpFile(path, LOCK_FILES);
}

/** What esbuild bundles: an entry file inside a project (the folder holding the lock file it is resolved in). */
export interface BundleSource {
  /** Absolute path of the entry file. */
  readonly entry: string;
  /** Absolute path of the project the entry lies in; esbuild runs there. */
  readonly projectRoot: string;
  readonly depsLockFilePath: string;
  /** Absolute paths of modules the entry loads with import() only when needed: each a file of its own (lazy-modules.ts). */
  readonly lazyEntries?: readonly string[];
}

/**
 * An entry of this package, relative to its root: bundled from its TypeScript source in the project that holds the
 * package, found by the nearest lock file above it, whatever the working directory. In this repository that is the
 * repository; installed, it is the user's CDK app (npm leaves a package's own lock file out of its tarball), whose
 * esbuild and node_modules the bundle then uses.
 */
export function repositoryBundleSource(entry: string): BundleSource {
  const depsLockFilePath = findProjectLockFile(PACKAGE_ROOT);
  if (depsLockFilePath === undefined) {
    throw new Error(
      `fluent-webhook-receiver bundles its Lambdas with esbuild in the project that installed it, but found no lock file (${LOCK_FILES.join(', ')}) in ${PACKAGE_ROOT} or above it. Install the project's dependencies first (npm install).`,
    );
  }
  return { entry: join(PACKAGE_ROOT, entry), projectRoot: dirname(depsLockFilePath), depsLockFilePath };
}

/**
 * How every Lambda of the receiver is built: the locally installed esbuild (never Docker), minified CommonJS with
 * source maps that stack traces use.
 */
const BUNDLING: BundlingOptions = {
  forceDockerBundling: false,
  format: OutputFormat.CJS,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // Pinned SDK versions ship inside the bundle, so what runs is what was tested.
  bundleAwsSDK: true,
};

/**
 * The one description of how a source is bundled: {@link BUNDLING}, then the user's bundling overrides, then the
 * source's lazy modules (lazy-modules.ts), added last so that they are built with the final options. Docker stays off
 * whatever the overrides say.
 */
function bundlingOf(
  source: BundleSource,
  runtime: Runtime,
  overrides: BundlingOptions = {},
  excludeSmithyPackages = false,
): BundlingOptions {
  return withLazyModules(
    runtime,
    { ...BUNDLING, ...overrides, forceDockerBundling: false },
    source.lazyEntries ?? [],
    source.projectRoot,
    excludeSmithyPackages,
  );
}

/**
 * The construct's props for a source, as {@link createBundledFunction} builds them before the user's overrides: an
 * explicit Node.js runtime on arm64 and {@link bundlingOf} (what the benchmarks build).
 */
export function bundledFunctionProps(source: BundleSource): NodejsFunctionProps {
  const basics = functionBasics(source);
  return { ...basics, bundling: bundlingOf(source, basics.runtime) };
}

/** Everything of {@link bundledFunctionProps} but the bundling, which the construct builds with the user's overrides. */
function functionBasics(source: BundleSource) {
  const { entry, projectRoot, depsLockFilePath } = source;
  return {
    entry,
    projectRoot,
    depsLockFilePath,
    handler: 'handler',
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    environment: { NODE_OPTIONS: '--enable-source-maps' },
  };
}

/** What the construct wires itself into a function: it always wins over defaults and user overrides. */
export interface BundledFunctionWiring {
  readonly role: IRole;
  readonly logGroup: ILogGroup;
  /** Variables the handler needs; set after (and so over) any the user passed. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout?: Duration;
}

/**
 * Creates one of the receiver's Lambdas, layering its defaults, then the user's overrides, then the wiring the
 * construct needs (entry, bundling rules, role, log group, environment), which always wins.
 */
export function createBundledFunction(
  scope: Construct,
  id: string,
  source: BundleSource,
  layers: {
    readonly defaults: Partial<NodejsFunctionProps>;
    readonly overrides?: Partial<NodejsFunctionProps>;
    readonly wiring: BundledFunctionWiring;
  },
): NodejsFunction {
  // Without esbuild CDK would try Docker, and without the SDK or Powertools esbuild would fail on a missing import.
  // esbuild runs in the project; the Lambdas' imports resolve from this package's folder up, as esbuild resolves them.
  if (Stack.of(scope).bundlingRequired) {
    requireOptionalPackages('fluent-webhook-receiver/cdk', [source.projectRoot, PACKAGE_ROOT]);
  }
  const bundled = functionBasics(source);
  const overrides = layers.overrides ?? {};
  const { wiring } = layers;
  const runtime = overrides.runtime ?? layers.defaults.runtime ?? bundled.runtime;
  return new NodejsFunction(scope, id, {
    runtime: bundled.runtime,
    architecture: bundled.architecture,
    ...layers.defaults,
    ...overrides,
    ...(wiring.timeout === undefined ? {} : { timeout: wiring.timeout }),
    entry: bundled.entry,
    handler: bundled.handler,
    projectRoot: bundled.projectRoot,
    depsLockFilePath: bundled.depsLockFilePath,
    bundling: bundlingOf(
      source,
      runtime,
      overrides.bundling,
      FeatureFlags.of(scope).isEnabled(LAMBDA_NODEJS_SDK_V3_EXCLUDE_SMITHY_PACKAGES) === true,
    ),
    role: wiring.role,
    logGroup: wiring.logGroup,
    environment: { ...overrides.environment, ...bundled.environment, ...wiring.environment },
  });
}
