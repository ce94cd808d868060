import type { Logger } from '@aws-lambda-powertools/logger';

/** How a runner stops what it started: each part registers its stop as it starts. */
export interface StopStack {
  push(action: () => Promise<unknown>): void;
  /** Runs the stops in reverse order (also when a later part failed to start), logging a failed one and going on. */
  stopAll(): Promise<void>;
}

export function createStopStack(logger: Logger, runnerName: string): StopStack {
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
