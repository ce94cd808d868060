import type { HistoryEntry, HistoryKey, HistoryRecord, HistoryStore } from '../../../lambdas/contract/history';
import { Provenance } from '../../../lambdas/contract/provenance';

/**
 * What never changes for a delivery once it is recorded: they come from its queue message and its verified body. A
 * retry of the message rewrites its outcome, attempts, reason, duration and `decidedAt`, never these.
 */
export type SettledFields = Pick<HistoryRecord, 'requestId' | 'provenance' | 'entityRef'>;

/** A delivery in the page's window: its index entry, and its record when this listing read it in full. */
export interface WindowDelivery {
  readonly entry: HistoryEntry;
  readonly settled: SettledFields;
  readonly record?: HistoryRecord;
}

/**
 * The deliveries the inspector lists, read from the history's index on every change while events flow. Reading each
 * item (and decompressing its archive) every time cost about half a second for 3,000 records, so an item is read in
 * full only the first time it is listed, for the fields the list needs that never change, and again only when the
 * page shows it. A replay or backfill is read every time: its place in the list is its `decidedAt` (rare).
 */
export class HistoryWindow {
  private readonly settled = new Map<string, SettledFields>();

  public constructor(private readonly store: HistoryStore) {}

  /** Every delivery received since `from`, oldest first; one whose record is gone (expired) is left out. */
  public async deliveries(from: string): Promise<WindowDelivery[]> {
    const entries = await this.store.entries({ from });
    const unsettled = entries.filter((entry) => this.settled.get(keyOf(entry))?.provenance !== Provenance.WEBHOOK);
    const read = await this.records(unsettled);
    for (const [key, { requestId, provenance, entityRef }] of read) {
      this.settled.set(key, { requestId, provenance, entityRef });
    }
    // Only what is still in the window is kept: the memory stays that of one window.
    const listed = new Set(entries.map(keyOf));
    for (const key of this.settled.keys()) if (!listed.has(key)) this.settled.delete(key);
    return entries.flatMap((entry) => {
      const settled = this.settled.get(keyOf(entry));
      return settled === undefined ? [] : [{ entry, settled, record: read.get(keyOf(entry)) }];
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
