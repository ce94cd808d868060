import { FSWatcher, watch } from 'node:fs';
import { basename, dirname, sep } from 'node:path';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { FluentEventHandlers } from '../../lambdas/consumer/handler-types';
import { displayPath } from './data-dir';
import { bundleHandlers, HandlersModule } from './load-handlers';

/** Editors save in steps (truncate, write, rename): wait for the file to settle before building it. */
const SETTLE_MS = 150;

export interface HandlersWatcher {
  stop(): void;
}

/**
 * `--watch`: rebuilds the handlers module when it or one of its own imports changes and hands the new map to
 * `swap` (the runner uses it from the next batch on; a batch in hand finishes with the map it started with, and
 * queued events wait in the queue meanwhile). A module that no longer builds or loads is reported and the previous
 * handlers keep running. Folders are watched rather than files, so a save by rename is seen too.
 */
export function watchHandlers(
  module: HandlersModule,
  inputs: readonly string[],
  swap: (handlers: FluentEventHandlers) => void,
  logger: Logger,
  cacheDir?: string,
): HandlersWatcher {
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let reloads = Promise.resolve();
  const handlersModule = displayPath(module.path);

  const watchFiles = (files: readonly string[]): void => {
    for (const watcher of watchers) watcher.close();
    const namesByFolder = new Map<string, Set<string>>();
    for (const file of files.filter((path) => !path.includes(`${sep}node_modules${sep}`))) {
      const names = namesByFolder.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      namesByFolder.set(dirname(file), names);
    }
    watchers = [...namesByFolder].map(([folder, names]) =>
      watch(folder, (_event, name) => {
        if (name === null || names.has(String(name))) schedule();
      }).on('error', (error) => logger.warn('cannot watch the handlers any more', { folder, error: error.message })),
    );
  };
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => (reloads = reloads.then(reload)), SETTLE_MS);
  };
  const reload = async (): Promise<void> => {
    if (stopped) return;
    const started = performance.now();
    try {
      const bundled = await bundleHandlers(module, cacheDir);
      if (stopped) return;
      swap(bundled.handlers);
      watchFiles(bundled.inputs);
      logger.info('handlers reloaded', {
        handlersModule,
        durationMs: Math.round(performance.now() - started),
      });
    } catch (error) {
      logger.error('handlers not reloaded; the previous ones keep running', {
        handlersModule,
        reason: (error as Error).message,
      });
    }
  };

  watchFiles(inputs);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
