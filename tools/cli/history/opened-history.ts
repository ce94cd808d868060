import type { HistoryStore } from '../../../lambdas/contract/history';

export interface QueueAddress {
  readonly url: string;
  readonly endpoint?: string;
  readonly region?: string;
}

/** The history to read and, for replay, the queue that leads back to the consumer. */
export interface OpenedHistory {
  readonly store: HistoryStore;
  /** Where it is, for messages: the data folder or the stack. */
  readonly where: string;
  readonly retentionDays: number;
  /** The queue to put replays on, when one can be reached (a stopped local runner has none). */
  readonly queue?: QueueAddress;
  /** The reconciliation queue, for `reconcile`'s backfills, when one can be reached. */
  readonly reconciliationQueue?: QueueAddress;
  /** The local runner's Fluent stand-in (URL and account), when it runs one. */
  readonly fluentStandIn?: { readonly apiUrl: string; readonly account: string };
  close(): Promise<void>;
}

/** Thrown when the stack cannot be read or lacks the history; the message says what to do. Exit code 1. */
export class StackHistoryError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StackHistoryError';
  }
}
