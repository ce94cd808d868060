import type { Logger } from '@aws-lambda-powertools/logger';

/** How a runner stops what it started: each part registers its stop as it starts. */
export interface StopStack {
  push(action: () => Promise<unknown>): void;
  /** Runs the stops in reverse order (also when a later part failed to start), logging a failed one and going on. */
  stopAll(): Promise<void>;
}

function createStopStack(logger: Logger, runnerName: string): StopStack {
  const actions: Array<() => Promise<unknown>> = [];
  return {
    push: (action) => void actions.push(action),
    stopAll: async () => {
      for (const action of actions.splice(0).reverse()) {
        await action().catch((error: unknown) =>
          logger.error(`${runnerName} could not stop a part cleanly`, { error: error as Error }),
        );
      }
    },
  };
}

/** What a runner's stop answers: the messages left in each queue, counted as it stopped (they are kept). */
export type SavedMessages = Record<string, number>;

/**
 * A runner's start and stop around one stop stack: `start` registers each part's stop as the part starts, and may
 * count the messages saved per queue into `saved` from a stop. The runner's `stop` runs every stop (in reverse order)
 * and answers `saved`; a start that fails stops what had started, then throws.
 */
export async function startRunner<T extends object>(
  logger: Logger,
  runnerName: string,
  start: (stopActions: StopStack, saved: SavedMessages) => Promise<T>,
): Promise<T & { stop(): Promise<SavedMessages> }> {
  const stopActions = createStopStack(logger, runnerName);
  const saved: SavedMessages = {};
  try {
    const runner = await start(stopActions, saved);
    return {
      ...runner,
      stop: async () => {
        await stopActions.stopAll();
        return saved;
      },
    };
  } catch (error) {
    await stopActions.stopAll();
    throw error;
  }
}

/**
 * Starts parts at the same time (each registers its own stop as soon as it has started): waits until every one has
 * started or failed, so that none is left running unregistered, then throws the first failure.
 */
export async function startTogether<T extends readonly unknown[]>(parts: {
  readonly [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const results = await Promise.allSettled(parts as readonly Promise<unknown>[]);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
