import { statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { buildSync, BuildOptions } from 'esbuild';
import { bundledFunctionProps, repositoryBundleSource } from '../../lib/internal/lambda-bundling';
import { PACKAGE_ROOT } from '../../lambdas/contract/package-root';

/**
 * The esbuild options `NodejsFunction` derives from the construct's bundling props (see aws-cdk-lib's
 * aws-lambda-nodejs bundling: `--bundle --target=node<runtime> --platform=node --format --minify --sourcemap
 * --sources-content`), read from the same `bundledFunctionProps` the stack uses, so a change there shows here.
 */
export function constructBuildOptions(): BuildOptions & { nodeOptions: string } {
  const props = bundledFunctionProps(repositoryBundleSource('lambdas/receiver/handler.ts'));
  const bundling = props.bundling ?? {};
  const version = /nodejs(\d+)/.exec(props.runtime?.name ?? '')?.[1];
  if (version === undefined) throw new Error(`Cannot read a Node.js version from runtime ${props.runtime?.name}.`);
  if (bundling.externalModules !== undefined && bundling.externalModules.length > 0) {
    throw new Error('The construct marks modules external; bundle them the same way here before comparing sizes.');
  }
  return {
    bundle: true,
    platform: 'node',
    target: `node${version}`,
    format: bundling.format === 'esm' ? 'esm' : 'cjs',
    minify: bundling.minify === true,
    sourcemap: bundling.sourceMap === true,
    sourcesContent: bundling.sourcesContent !== false,
    logLevel: 'warning',
    nodeOptions: props.environment?.NODE_OPTIONS ?? '',
  };
}

export interface BuiltBundle {
  readonly label: string;
  readonly file: string;
  readonly bytes: number;
  readonly mapBytes: number;
  /** Roughly what the deployment zip holds for it (gzip of code and map). */
  readonly zippedBytes: number;
}

/** Bundles an entry file, or (with `contents`) a module written inline, into `outDir/<name>/index.js`. */
export function buildBundle(
  label: string,
  outDir: string,
  name: string,
  entry: { file: string } | { contents: string },
): BuiltBundle {
  const { nodeOptions: _nodeOptions, ...options } = constructBuildOptions();
  const outfile = join(outDir, name, 'index.js');
  buildSync({
    ...options,
    outfile,
    ...('file' in entry
      ? { entryPoints: [join(PACKAGE_ROOT, entry.file)] }
      : { stdin: { contents: entry.contents, resolveDir: PACKAGE_ROOT, sourcefile: `${name}.ts`, loader: 'ts' } }),
  });
  const mapFile = `${outfile}.map`;
  const mapBytes = options.sourcemap ? statSync(mapFile).size : 0;
  const zipped = gzipSync(
    Buffer.concat([readFileSync(outfile), ...(options.sourcemap ? [readFileSync(mapFile)] : [])]),
  );
  return { label, file: outfile, bytes: statSync(outfile).size, mapBytes, zippedBytes: zipped.length };
}
