import { join } from 'node:path';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The repository root: entries and the lock file are found from here, whatever the working directory. */
export const PROJECT_ROOT = join(__dirname, '..', '..');

/**
 * How every Lambda of the receiver is built: the locally installed esbuild (never Docker), an explicit
 * Node.js runtime on arm64, minified CommonJS with source maps that stack traces use.
 */
export function bundledFunctionProps(entry: string): NodejsFunctionProps {
  return {
    entry: join(PROJECT_ROOT, entry),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
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
