import { Backoff, backoffDelayMs } from '../core/backoff';

/** BatchWriteItem takes at most 25 items. */
export const MAX_BATCH_WRITE_ITEMS = 25;
/** Rounds of retries for items DynamoDB left unprocessed (throttled) before their writes fail. */
const MAX_UNPROCESSED_ROUNDS = 5;
/**
 * The wait between rounds of what DynamoDB left unprocessed (throttled): short, doubling, jittered so that the
 * consumers throttled together do not retry in step. The history store's reads back off the same way.
 */
export const UNPROCESSED_BACKOFF: Backoff = { baseMs: 100, capMs: 2_000 };

/** Writes some items in one BatchWriteItem call; resolves with the ones DynamoDB left unprocessed. */
export type WriteItems = (items: ReadonlyArray<Record<string, unknown>>) => Promise<Array<Record<string, unknown>>>;

interface PendingPut {
  readonly item: Record<string, unknown>;
  readonly key: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Coalesces the puts that arrive in the same turn of the event loop into BatchWriteItem calls of up to 25 items.
 * The consumer handles a batch's records concurrently, so their history items are one request instead of one per
 * record (the write units are the same; the requests, their latency and their CPU are not). Each `put` resolves
 * once its own item is written and rejects if it could not be, so a record still waits for its item before its
 * decision, as with one PutItem each.
 */
export class BatchedPuts {
  private pending: PendingPut[] = [];
  private scheduled = false;

  public constructor(
    private readonly writeItems: WriteItems,
    private readonly keyOf: (item: Record<string, unknown>) => string,
  ) {}

  public put(item: Record<string, unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const key = this.keyOf(item);
      // One request may not name an item twice: a second put of the same key goes in the next request.
      if (this.pending.some((pending) => pending.key === key)) this.flush();
      this.pending.push({ item, key, resolve, reject });
      if (this.pending.length === MAX_BATCH_WRITE_ITEMS) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) void this.write(batch);
  }

  private async write(batch: readonly PendingPut[]): Promise<void> {
    let waiting = batch;
    try {
      for (let round = 0; waiting.length > 0; round += 1) {
        if (round === MAX_UNPROCESSED_ROUNDS) {
          const error = new Error(`The history table left ${waiting.length} writes unprocessed (throttled).`);
          for (const pending of waiting) pending.reject(error);
          return;
        }
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(round, UNPROCESSED_BACKOFF)));
        const unprocessed = new Set((await this.writeItems(waiting.map(({ item }) => item))).map(this.keyOf));
        for (const pending of waiting) if (!unprocessed.has(pending.key)) pending.resolve();
        waiting = waiting.filter((pending) => unprocessed.has(pending.key));
      }
    } catch (error) {
      // A request DynamoDB refuses whole (one item it cannot take, say a key over its size limit) must not fail the
      // other records with it: each item is then written alone, so only the one at fault fails.
      if (waiting.length > 1) await Promise.all(waiting.map((pending) => this.write([pending])));
      else for (const pending of waiting) pending.reject(error);
    }
  }
}
