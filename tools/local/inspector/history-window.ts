import type { HistoryEntry, HistoryKey, HistoryRecord, HistoryStore } from '../../../lambdas/contract/history';
import { Provenance } from '../../../lambdas/contract/provenance';

/**
 * What never changes for a delivery once it is recorded: they come from its queue message and its verified body. A
 * retry of the message rewrites its outcome, attempts, reason, duration and `decidedAt`, never these.
 */
export type SettledFields = Pick<HistoryRecord, 'requestId' | 'provenance' | 'entityRef'>;

/** A delivery in the page's window: its index entry, and its record when this listing has it in full. */
export interface WindowDelivery {
  readonly entry: HistoryEntry;
  readonly settled: SettledFields;
  readonly record?: HistoryRecord;
}

/** Where the window hears of each history write the runner's consumer makes, once the write completed. */
export interface HistoryWrites {
  onRecorded(listener: (key: HistoryKey) => void): unknown;
}

/**
 * The deliveries the inspector lists, read from the history's index on every change while events flow. Reading each
 * item (and decompressing its archive) every time cost about half a second for 3,000 records, so an item is read in
 * full only the first time it is listed, for the fields the list needs that never change, and again only when the
 * page shows it. A replay or backfill is placed by its `decidedAt`, which a retry rewrites: its record is kept as read
 * and read again only once the consumer has written it again (told by `writes`).
 */
export class HistoryWindow {
  private readonly settled = new Map<string, SettledFields>();
  /** Replays' and backfills' records as last read, each dropped when its delivery is written again. */
  private readonly kept = new Map<string, HistoryRecord>();
  /**
   * Deliveries written while a listing was reading: what it read of them may predate the write, so it is not kept.
   * Emptied when no listing is reading.
   */
  private readonly writtenWhileReading = new Set<string>();
  private reading = 0;

  public constructor(
    private readonly store: HistoryStore,
    writes: HistoryWrites,
  ) {
    writes.onRecorded((key) => {
      this.kept.delete(keyOf(key));
      if (this.reading > 0) this.writtenWhileReading.add(keyOf(key));
    });
  }

  /** Every delivery received since `from`, oldest first; one whose record is gone (expired) is left out. */
  public async deliveries(from: string): Promise<WindowDelivery[]> {
    const entries = await this.store.entries({ from });
    // The kept records this listing uses, as they are now: one dropped by a write while it reads is still this
    // listing's (as a record read just before the write would be); the write's change brings the next listing.
    const kept = new Map(
      entries.flatMap((entry) => this.kept.get(keyOf(entry)) ?? []).map((record) => [keyOf(record), record]),
    );
    const unread = entries.filter((entry) => {
      const key = keyOf(entry);
      return this.settled.get(key)?.provenance !== Provenance.WEBHOOK && !kept.has(key);
    });
    this.reading += 1;
    let read: Map<string, HistoryRecord>;
    try {
      read = await this.records(unread);
    } finally {
      this.reading -= 1;
    }
    for (const [key, record] of read) {
      const { requestId, provenance, entityRef } = record;
      this.settled.set(key, { requestId, provenance, entityRef });
      if (provenance !== Provenance.WEBHOOK && !this.writtenWhileReading.has(key)) this.kept.set(key, record);
    }
    if (this.reading === 0) this.writtenWhileReading.clear();
    // Only what is still in the window is kept: the memory stays that of one window.
    const listed = new Set(entries.map(keyOf));
    for (const known of [this.settled, this.kept]) {
      for (const key of known.keys()) if (!listed.has(key)) known.delete(key);
    }
    return entries.flatMap((entry) => {
      const key = keyOf(entry);
      const settled = this.settled.get(key);
      return settled === undefined ? [] : [{ entry, settled, record: read.get(key) ?? kept.get(key) }];
    });
  }

  /** The records of these deliveries, read in full now, by their key (`keyOf`). */
  public async records(keys: readonly HistoryKey[]): Promise<Map<string, HistoryRecord>> {
    if (keys.length === 0) return new Map();
    return new Map((await this.store.records(keys)).map((record) => [keyOf(record), record]));
  }
}

/** A delivery's key as the page names its row: `<eventId>/<messageId>`. */
export function keyOf(key: HistoryKey): string {
  return `${key.eventId}/${key.messageId}`;
}
