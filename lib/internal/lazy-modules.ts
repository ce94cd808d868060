import { basename, join } from 'node:path';
import type { Runtime } from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions, ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { PACKAGE_ROOT } from '../../lambdas/contract/package-root';

/*
 * Modules a Lambda loads with import() only when it first needs them (the consumer's S3 client, for the rare body too
 * large for its history item). NodejsFunction bundles one entry into index.js; a module in there is parsed at every
 * cold start (with its source map: NODE_OPTIONS=--enable-source-maps) even if never run. So index.js keeps the import
 * as written (an external module, `./<name>.js`), and an afterBundling hook bundles the module into `<name>.js` next to
 * index.js, with the same esbuild, the same options and the same locked packages: the asset still holds exactly what
 * was tested, and the cold path never reads it.
 */

/**
 * The esbuild build options NodejsFunction derives from its props (aws-cdk-lib aws-lambda-nodejs Bundling:
 * `--bundle --target=node<runtime> --platform=node --format --minify --sourcemap --sources-content --external`...),
 * for the builds the construct runs itself and for the benchmarks that mirror what deploys. Typed here rather than
 * with esbuild's types: esbuild is an optional dependency, absent where only the verifier is installed.
 *
 * Not mirrored, on purpose: `banner`, `footer` and `inject` (often written for the main bundle's format, such as an
 * ESM `createRequire` shim, while a lazy module is always CommonJS), `loader` and `tsconfig` (the lazy modules are
 * this package's own TypeScript, which esbuild loads with its defaults), `esbuildArgs` (free-form CLI flags),
 * `nodeModules` (installed next to index.js; a lazy module bundles its own copy) and `metafile`, `logLevel`, `charset`
 * (they change no code that runs). A user's setting of these applies to index.js only.
 */
export interface EsbuildOptions {
  readonly bundle: true;
  readonly platform: 'node';
  readonly target: string;
  readonly format: 'cjs' | 'esm';
  readonly minify: boolean;
  readonly sourcemap: boolean | 'inline' | 'external' | 'both';
  readonly sourcesContent: boolean;
  readonly external: string[];
  readonly keepNames: boolean;
  readonly define?: Record<string, string>;
  readonly mainFields?: string[];
  readonly logLevel: 'warning';
}

/** What NodejsFunction passes esbuild for these props (the options the construct or a user's override can set). */
export function esbuildOptionsOf(runtime: Runtime, bundling: BundlingOptions): EsbuildOptions {
  const version = /nodejs(\d+)/.exec(runtime.name)?.[1];
  if (bundling.target === undefined && version === undefined) {
    throw new Error(`Cannot read a Node.js version from runtime ${runtime.name}.`);
  }
  const sourceMapMode = bundling.sourceMapMode;
  return {
    bundle: true,
    platform: 'node',
    target: bundling.target ?? `node${version}`,
    format: bundling.format === 'esm' ? 'esm' : 'cjs',
    minify: bundling.minify === true,
    sourcemap: sourceMapMode === undefined || sourceMapMode === 'default' ? bundling.sourceMap === true : sourceMapMode,
    sourcesContent: bundling.sourcesContent !== false,
    external: externalModulesOf(runtime, bundling),
    keepNames: bundling.keepNames === true,
    ...(bundling.define === undefined ? {} : { define: { ...bundling.define } }),
    ...(bundling.mainFields === undefined ? {} : { mainFields: [...bundling.mainFields] }),
    logLevel: 'warning',
  };
}

/**
 * The modules NodejsFunction keeps out of the bundle for these props: the user's `externalModules`, else, without
 * `bundleAwsSDK` and on a fixed runtime (not `NODEJS_LATEST`), the runtime's SDK v3: `@aws-sdk/*`, and `@smithy/*`
 * too where the stack enables the feature flag `@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages` (pass
 * `excludeSmithyPackages`). Runtimes with SDK v2 (Node.js 16 and older) cannot run these Lambdas and are not covered.
 */
export function externalModulesOf(
  runtime: Runtime,
  bundling: BundlingOptions,
  excludeSmithyPackages = false,
): string[] {
  if (bundling.externalModules !== undefined) return [...bundling.externalModules];
  if (bundling.bundleAwsSDK === true || runtime.isVariable) return [];
  return excludeSmithyPackages ? ['@aws-sdk/*', '@smithy/*'] : ['@aws-sdk/*'];
}

/** How the entry's importer names the bundled module: `./<file name without extension>.js`, next to index.js. */
export function lazyImportPath(entry: string): string {
  return `./${basename(entry).replace(/\.[cm]?[jt]sx?$/, '')}.js`;
}

/**
 * The build of one lazily loaded module into `outDir`, from the options of the function's main bundle: CommonJS
 * whatever the main bundle's format (a `.js` file in an asset without package.json is CommonJS to Node.js, and
 * import() of it works from either format), and with the main bundle's externals except the lazy modules themselves.
 */
export function lazyModuleBuildOptions(main: EsbuildOptions, entry: string, outDir: string) {
  return {
    ...main,
    format: 'cjs' as const,
    external: main.external.filter((external) => external !== lazyImportPath(entry)),
    entryPoints: [entry],
    outfile: join(outDir, lazyImportPath(entry)),
  };
}

/**
 * Bundling props with the lazy modules kept out of index.js and bundled next to it, after any command hooks the
 * user passed. Setting `externalModules` replaces NodejsFunction's default externals, so the list starts from what
 * it would have used ({@link externalModulesOf}). `projectRoot` is where NodejsFunction runs esbuild; the hook runs
 * the same esbuild package, found the way the construct checks for it (lambdas/contract/optional-packages.ts),
 * through its JavaScript API.
 */
export function withLazyModules(
  runtime: Runtime,
  bundling: BundlingOptions,
  lazyEntries: readonly string[],
  projectRoot: string,
  excludeSmithyPackages = false,
): BundlingOptions {
  if (lazyEntries.length === 0) return bundling;
  const externalModules = [
    ...new Set([...externalModulesOf(runtime, bundling, excludeSmithyPackages), ...lazyEntries.map(lazyImportPath)]),
  ];
  const main = esbuildOptionsOf(runtime, { ...bundling, externalModules });
  const userHooks = bundling.commandHooks;
  const commandHooks: ICommandHooks = {
    beforeBundling: (inputDir, outputDir) => userHooks?.beforeBundling(inputDir, outputDir) ?? [],
    beforeInstall: (inputDir, outputDir) => userHooks?.beforeInstall(inputDir, outputDir) ?? [],
    afterBundling: (inputDir, outputDir) => [
      ...lazyEntries.map((entry) => esbuildCommand(projectRoot, lazyModuleBuildOptions(main, entry, outputDir))),
      ...(userHooks?.afterBundling(inputDir, outputDir) ?? []),
    ],
  };
  return { ...bundling, externalModules, commandHooks };
}

/** Node.js reads the options back from base64 (no quoting of JSON in a shell) and hands them to esbuild.buildSync. */
const BUILD_SCRIPT =
  'require(process.argv[1]).buildSync(JSON.parse(Buffer.from(process.argv[2],process.argv[3]).toString()))';

/** A shell command (bash locally, cmd on Windows: CDK runs hooks with either) that runs one esbuild build. */
function esbuildCommand(projectRoot: string, options: object): string {
  const esbuild = require.resolve('esbuild', { paths: [projectRoot, PACKAGE_ROOT] });
  const encoded = Buffer.from(JSON.stringify(options)).toString('base64');
  return [process.execPath, '-e', BUILD_SCRIPT, esbuild, encoded, 'base64'].map(shellArgument).join(' ');
}

function shellArgument(value: string): string {
  return process.platform === 'win32' ? `"${value}"` : `'${value.replaceAll("'", `'\\''`)}'`;
}
