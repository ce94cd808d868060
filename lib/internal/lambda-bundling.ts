import { join } from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The repository root: entries and the lock file are found from here, whatever the working directory. */
export const PROJECT_ROOT = join(__dirname, '..', '..');

/** What esbuild bundles: an entry file inside a project (the folder holding the lock file it is resolved in). */
export interface BundleSource {
  /** Absolute path of the entry file. */
  readonly entry: string;
  /** Absolute path of the project the entry lies in; esbuild runs there. */
  readonly projectRoot: string;
  readonly depsLockFilePath: string;
}

/** An entry of this repository (or of the installed package), relative to its root. */
export function repositoryBundleSource(entry: string): BundleSource {
  return {
    entry: join(PROJECT_ROOT, entry),
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
  };
}

/**
 * How every Lambda of the receiver is built: the locally installed esbuild (never Docker), an explicit
 * Node.js runtime on arm64, minified CommonJS with source maps that stack traces use.
 */
export function bundledFunctionProps(source: BundleSource): NodejsFunctionProps {
  return {
    ...source,
    handler: 'handler',
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.CJS,
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      // Pinned SDK versions ship inside the bundle, so what runs is what was tested.
      bundleAwsSDK: true,
    },
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
  const bundled = bundledFunctionProps(source);
  const overrides = layers.overrides ?? {};
  const { wiring } = layers;
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
    bundling: { ...bundled.bundling, ...overrides.bundling, forceDockerBundling: false },
    role: wiring.role,
    logGroup: wiring.logGroup,
    environment: { ...overrides.environment, ...bundled.environment, ...wiring.environment },
  });
}
