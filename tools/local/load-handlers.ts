import { Module } from 'node:module';
import { dirname, resolve } from 'node:path';
import { ConfigurationError } from '../../lambdas/core';
import type { FluentEventHandlers } from '../../lambdas/consumer/handler-types';
import { CachedBundle, readCachedBundle, writeCachedBundle } from './handlers-bundle-cache';

/** The parts of Node's CommonJS loader that compile a module from source; stable since Node 0.x, untyped. */
interface CompilableModule {
  _compile(code: string, filename: string): void;
}
interface ModulePaths {
  _nodeModulePaths(from: string): string[];
}

/** esbuild's working directory for the bundle: the root, so the source map and the metafile name absolute paths. */
const BUNDLE_WORKING_DIR = '/';

/** A handlers module to load, and the flag or variable that named it (for messages). */
export interface HandlersModule {
  /** Absolute path of a TypeScript or JavaScript module that exports `handlers`. */
  readonly path: string;
  /** `--handlers`, `LOCAL_HANDLERS_MODULE`, or a phrase for the package's own default. */
  readonly setBy: string;
}

/**
 * Loads the user's handler map as the consumer Lambda gets it: the module and its own files bundled by esbuild,
 * so TypeScript with any syntax the Lambda's bundle accepts (extensionless imports, enums, ...) or JavaScript,
 * CommonJS or ESM, works without a build step. Packages stay external and are required from the module's own
 * folder, so they resolve exactly as Node would resolve them there. Throws a {@link ConfigurationError} naming the
 * knob when the module does not build, throws while loading, or exports no `handlers`.
 */
export async function loadHandlers(module: HandlersModule): Promise<FluentEventHandlers> {
  return (await bundleHandlers(module)).handlers;
}

/** Loaded handlers and the files they were built from (the module and its own imports, not packages). */
export interface BundledHandlers {
  readonly handlers: FluentEventHandlers;
  /** Absolute paths: what `--watch` watches. */
  readonly inputs: readonly string[];
}

/**
 * {@link loadHandlers}, also saying which files went in. With `cacheDir`, the bundle is kept there and reused while
 * none of its files changed (a warm start runs no esbuild).
 */
export async function bundleHandlers(module: HandlersModule, cacheDir?: string): Promise<BundledHandlers> {
  const problem = (what: string, cause?: unknown): ConfigurationError =>
    new ConfigurationError(`${module.setBy} ${module.path} ${what}`, { cause });
  let bundle = cacheDir === undefined ? undefined : readCachedBundle(cacheDir, module.path);
  if (bundle === undefined) {
    const started = Date.now();
    try {
      bundle = await buildBundle(module.path);
    } catch (error) {
      throw problem(`could not be bundled: ${(error as Error).message}`, error);
    }
    if (cacheDir !== undefined) writeCachedBundle(cacheDir, module.path, bundle, started);
  }
  const { code, inputs } = bundle;

  // Compiled as Node compiles a CommonJS file (Module#_compile), the one path on which Node applies the bundle's
  // inline source map to stack traces once source maps are enabled; vm.compileFunction would not.
  process.setSourceMapsEnabled(true);
  const loaded = new Module(module.path) as Module & CompilableModule;
  loaded.filename = module.path;
  loaded.paths = (Module as unknown as ModulePaths)._nodeModulePaths(dirname(module.path));
  try {
    loaded._compile(code, module.path);
  } catch (error) {
    throw problem(`could not be loaded: ${(error as Error).message}`, error);
  }
  const exported = loaded.exports as { handlers?: FluentEventHandlers };
  if (exported.handlers === undefined) {
    throw problem('exports no `handlers`; export the handler map under that name.');
  }
  return { handlers: exported.handlers, inputs };
}

async function buildBundle(path: string): Promise<CachedBundle> {
  // Loaded only when a bundle is built: a warm start does without it.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    write: false,
    logLevel: 'silent',
    metafile: true,
    // Stack traces name the line the user wrote, not the bundle's: an inline map (source paths absolute, so
    // a trace names the file wherever the runner was started) that Node applies once source maps are enabled.
    sourcemap: 'inline',
    sourcesContent: false,
    sourceRoot: '/',
    absWorkingDir: BUNDLE_WORKING_DIR,
  });
  return {
    code: result.outputFiles[0]?.text ?? '',
    // esbuild names inputs relative to its working directory.
    inputs: Object.keys(result.metafile.inputs).map((input) => resolve(BUNDLE_WORKING_DIR, input)),
  };
}
