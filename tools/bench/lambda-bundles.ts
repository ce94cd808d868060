import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import type { Runtime } from 'aws-cdk-lib/aws-lambda';
import { BundleSource, bundledFunctionProps, repositoryBundleSource } from '../../lib/internal/lambda-bundling';
import { EsbuildOptions, esbuildOptionsOf, lazyModuleBuildOptions } from '../../lib/internal/lazy-modules';
import { RECEIVER_ENTRY } from '../../lib/receiver/fluent-webhook-receiver';
import { PACKAGE_ROOT } from '../../lambdas/contract/package-root';

/**
 * The esbuild options `NodejsFunction` derives from the construct's bundling props for one Lambda, read from the
 * same `bundledFunctionProps` the stack uses and translated by the same `esbuildOptionsOf` the construct's own
 * builds use (lib/internal/lazy-modules.ts), so a change there shows here. Without a source: the verifying Lambda's.
 */
export function constructBuildOptions(source: BundleSource = repositoryBundleSource(RECEIVER_ENTRY)): {
  readonly options: EsbuildOptions;
  readonly nodeOptions: string;
} {
  const props = bundledFunctionProps(source);
  return {
    options: esbuildOptionsOf(props.runtime as Runtime, props.bundling ?? {}),
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
  /** The files bundled next to index.js that it loads with import() only when needed (lazy-modules.ts). */
  readonly lazyModules: readonly BuiltBundle[];
}

/**
 * Bundles a Lambda's source as the construct does (index.js, and its lazily loaded modules next to it), or a module
 * written inline with the verifying Lambda's options, into `outDir/<name>/`.
 */
export function buildBundle(
  label: string,
  outDir: string,
  name: string,
  entry: { source: BundleSource } | { contents: string },
): BuiltBundle {
  const { options } = constructBuildOptions('source' in entry ? entry.source : undefined);
  const outfile = join(outDir, name, 'index.js');
  buildSync({
    ...options,
    outfile,
    ...('source' in entry
      ? { entryPoints: [entry.source.entry] }
      : { stdin: { contents: entry.contents, resolveDir: PACKAGE_ROOT, sourcefile: `${name}.ts`, loader: 'ts' } }),
  });
  const lazyModules = ('source' in entry ? (entry.source.lazyEntries ?? []) : []).map((lazyEntry) => {
    const lazy = lazyModuleBuildOptions(options, lazyEntry, join(outDir, name));
    buildSync(lazy);
    return measured(`${label}, loaded when needed: ${basename(lazy.outfile)}`, lazy.outfile, options.sourcemap, []);
  });
  return measured(label, outfile, options.sourcemap, lazyModules);
}

function measured(
  label: string,
  file: string,
  sourcemap: EsbuildOptions['sourcemap'],
  lazyModules: readonly BuiltBundle[],
): BuiltBundle {
  const mapFile = `${file}.map`;
  const hasMap = sourcemap !== false && sourcemap !== 'inline';
  const mapBytes = hasMap ? statSync(mapFile).size : 0;
  const zipped = gzipSync(Buffer.concat([readFileSync(file), ...(hasMap ? [readFileSync(mapFile)] : [])]));
  return { label, file, bytes: statSync(file).size, mapBytes, zippedBytes: zipped.length, lazyModules };
}
