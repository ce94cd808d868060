import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { compileFunction } from 'node:vm';
import { build } from 'esbuild';
import { ConfigurationError } from '../../lambdas/core';
import type { FluentEventHandlers } from '../../lambdas/consumer/handler-types';

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

/** {@link loadHandlers}, also saying which files went in. */
export async function bundleHandlers(module: HandlersModule): Promise<BundledHandlers> {
  const problem = (what: string, cause?: unknown): ConfigurationError =>
    new ConfigurationError(`${module.setBy} ${module.path} ${what}`, { cause });
  let code: string;
  let inputs: string[];
  try {
    const result = await build({
      entryPoints: [module.path],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node.split('.')[0]}`,
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    code = result.outputFiles[0]?.text ?? '';
    // esbuild names inputs relative to its working directory.
    inputs = Object.keys(result.metafile.inputs).map((input) => resolve(input));
  } catch (error) {
    throw problem(`could not be bundled: ${(error as Error).message}`, error);
  }

  const loaded = { exports: {} as { handlers?: FluentEventHandlers } };
  try {
    const run = compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], {
      filename: module.path,
    });
    run(loaded.exports, createRequire(module.path), loaded, module.path, dirname(module.path));
  } catch (error) {
    throw problem(`could not be loaded: ${(error as Error).message}`, error);
  }
  if (loaded.exports.handlers === undefined) {
    throw problem('exports no `handlers`; export the handler map under that name.');
  }
  return { handlers: loaded.exports.handlers, inputs };
}
