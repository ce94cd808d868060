import type { HistoryKey } from '../../../lambdas/contract/history';

/** Changes arriving closer together than this reach the page as one. */
const COALESCE_MS = 100;

/**
 * Tells the inspector page's open streams that what it shows may have changed, so it reads the list again at once
 * instead of polling every second. Every change the page shows passes through the runner: the door's answers, the
 * consumer's history writes (a replay, redrive or backfill from the CLI too, since the runner's consumer handles
 * it), and the dead-letter queue's arrivals and departures (seen by the dead-letter watcher). Each history write
 * also names its delivery (`recorded`), so that the list's reader knows which record it read is out of date.
 */
export class ChangeFeed {
  private readonly listeners = new Set<() => void>();
  private readonly recordedListeners = new Set<(key: HistoryKey) => void>();
  private pending: NodeJS.Timeout | undefined;

  /**
   * The consumer wrote a delivery's record (after the write completed, or failed: it may have reached the table): what
   * was read of that delivery before may be out of date, and the page may change.
   */
  public recorded(key: HistoryKey): void {
    for (const listener of this.recordedListeners) listener(key);
    this.changed();
  }

  /** Told of each `recorded` key at once (not coalesced). Returns the unsubscribe. */
  public onRecorded(listener: (key: HistoryKey) => void): () => void {
    this.recordedListeners.add(listener);
    return () => this.recordedListeners.delete(listener);
  }

  public changed(): void {
    if (this.pending !== undefined || this.listeners.size === 0) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      for (const listener of this.listeners) listener();
    }, COALESCE_MS);
    this.pending.unref();
  }

  /** Returns the unsubscribe. */
  public subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
