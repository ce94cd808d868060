import type { HistoryStore } from '../../../lambdas/contract/history';
import { resolveDataDir, displayPath } from '../../local/data-dir';
import type { CliIo } from '../cli-io';

/** The history to read and, for replay, the queue that leads back to the consumer. */
export interface OpenedHistory {
  readonly store: HistoryStore;
  /** Where it is, for messages: the data folder or the stack. */
  readonly where: string;
  readonly retentionDays: number;
  /** The queue to put replays on, when one can be reached (a stopped local runner has none). */
  readonly queue?: { readonly url: string; readonly endpoint?: string; readonly region?: string };
  close(): Promise<void>;
}

/** Thrown when the stack cannot be read or lacks the history; the message says what to do. Exit code 1. */
export class StackHistoryError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StackHistoryError';
  }
}

/** Opens the stack's history with `--stack`, else the local runner's. */
export async function openHistory(options: { stack?: string; region?: string }, io: CliIo): Promise<OpenedHistory> {
  if (options.stack !== undefined) {
    const { openStackHistory } = await import('./stack-history');
    return openStackHistory(options.stack, options.region);
  }
  const dataDir = resolveDataDir(io.env);
  const { openLocalHistory } = await import('../../local/local-history');
  const local = await openLocalHistory(dataDir, io.env);
  return {
    store: local.store,
    where: `the local runner's data folder ${displayPath(dataDir)}${local.runner === undefined ? ' (stopped)' : ''}`,
    retentionDays: local.retentionDays,
    ...(local.runner === undefined
      ? {}
      : { queue: { url: local.runner.queueUrl, endpoint: local.runner.sqsEndpoint, region: local.runner.region } }),
    close: () => local.close(),
  };
}
