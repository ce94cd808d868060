import type { FluentApi } from './fluent-api-client';
import type { FluentEventFilter } from './fluent-outbound-event';
import { Clock, SYSTEM_CLOCK } from './retry-timing';

import { DEFAULT_EVENT_PAGE_SIZE, EventListCursor, MAX_EVENT_PAGE_SIZE } from '../contract/reconciliation';

export { DEFAULT_EVENT_PAGE_SIZE, MAX_EVENT_PAGE_SIZE };

export interface EventListBounds {
  /** Events asked for per request. @default 100 */
  readonly pageSize?: number;
  /** Pages read at most; the run stops (incomplete) after them. */
  readonly maxPages: number;
  /** Epoch milliseconds after which no further page is asked for; the run stops (incomplete). */
  readonly deadline: number;
  /** @default the system clock */
  readonly clock?: Pick<Clock, 'now'>;
  /** Where a run cut short before stopped (see {@link EventListCursor}). @default the filter's `from` */
  readonly cursor?: EventListCursor;
}

/** One page as the listing read it. */
export interface ListedEventPage {
  /** 1 for the first page. */
  readonly page: number;
  /** The offset the page was asked for at, from the cursor's `from`. */
  readonly start: number;
  /** The events listed, but those the cursor says were compared already. */
  readonly results: ReadonlyArray<Record<string, unknown>>;
  /** Where the next page starts: a run that stops after this page resumes from it. */
  readonly next: EventListCursor;
}

/** Why a listing ended: Fluent had no more, or one of the run's bounds stopped it first. */
export type EventListEnd = 'complete' | 'max-pages' | 'deadline';

/**
 * Reads every event a filter matches, page by page until `hasMore` is false, within a number of pages and a deadline.
 * Each page is listed from the `generatedOn` of the last event of the one before (see {@link EventListCursor}), asking
 * for as many more as the events of that instant it lists again, so a listing in order costs the same calls as
 * paging by offset while that count stays within Fluent's 5,000 (at a page size of 5,000 each page after the first
 * brings 4,999 new events, or fewer). Each page is one `getEvents` call of the client, so 429 (with Retry-After),
 * 5xx and network errors are retried there, each call within the client's own time; a call that still fails throws
 * out of the iteration. `end` says why the iteration stopped once it has.
 */
export class FluentEventList implements AsyncIterable<ListedEventPage> {
  public end: EventListEnd | undefined;
  private readonly pageSize: number;
  private readonly clock: Pick<Clock, 'now'>;

  public constructor(
    private readonly api: Pick<FluentApi, 'getEvents'>,
    private readonly filter: Omit<FluentEventFilter, 'start' | 'count'>,
    private readonly bounds: EventListBounds,
  ) {
    const pageSize = bounds.pageSize ?? DEFAULT_EVENT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_EVENT_PAGE_SIZE) {
      throw new RangeError(`The page size must be a whole number from 1 to ${MAX_EVENT_PAGE_SIZE}, not ${pageSize}.`);
    }
    this.pageSize = pageSize;
    this.clock = bounds.clock ?? SYSTEM_CLOCK;
  }

  public async *[Symbol.asyncIterator](): AsyncIterator<ListedEventPage> {
    let cursor: EventListCursor = this.bounds.cursor ?? { start: 0 };
    for (let page = 1; ; page += 1) {
      if (page > this.bounds.maxPages) return this.stop('max-pages');
      if (this.clock.now() >= this.bounds.deadline) return this.stop('deadline');
      const seen = new Set(cursor.seen);
      const from = cursor.from ?? this.filter.from;
      const count = Math.min(MAX_EVENT_PAGE_SIZE, this.pageSize + (cursor.start === 0 ? seen.size : 0));
      const answer = await this.api.getEvents({
        ...this.filter,
        ...(from === undefined ? {} : { from }),
        start: cursor.start,
        count,
      });
      const next = nextCursor(cursor, from, answer.results, this.pageSize);
      const results = answer.results.filter((listed) => !seen.has(idOf(listed) ?? ''));
      yield { page, start: cursor.start, results, next };
      // An empty page that claims more would ask for the same offset forever.
      if (answer.hasMore !== true || answer.results.length === 0) return this.stop('complete');
      cursor = next;
    }
  }

  private stop(end: EventListEnd): void {
    this.end = end;
  }
}

/**
 * Where the page after this one starts:
 * - from the last event's `generatedOn`, once the listing has shown it is oldest first: its times rose within a page,
 *   or from the last of the page before (`lastAt`) to this one;
 * - from the same instant again, skipping the ids compared at it (`seen`), when every event of a page listed from
 *   the head of that instant was of it (more than a page of them): the same query again, so safe in any order, while
 *   a page still fits beside them in Fluent's 5,000 and each page brings new ones;
 * - else by offset from the cursor's `from`: while the order is not known yet (the first page of a listing of one
 *   event a page, or pages of a single instant later than `from`) and past that many events at one instant;
 * - by offset for good once the times go back (within a page or from the page before) or an event lacks a time or
 *   an id: a time cursor would then skip events.
 */
function nextCursor(
  cursor: EventListCursor,
  from: string | undefined,
  results: ReadonlyArray<Record<string, unknown>>,
  pageSize: number,
): EventListCursor {
  if (results.length === 0) return cursor;
  const start = cursor.start + results.length;
  if (cursor.byOffset === true) return { ...cursor, start };
  const fromMs = from === undefined ? -Infinity : Date.parse(from);
  // The page before ended at `lastAt`: this one may not start earlier. Where `lastAt` is after `from` (a page asked
  // for by offset), Fluent's `from` did not bound the page there, so times rising past it show the order.
  const lastAtMs = cursor.lastAt === undefined ? fromMs : Date.parse(cursor.lastAt);
  const times = results.map((listed) =>
    typeof listed.generatedOn === 'string' ? Date.parse(listed.generatedOn) : NaN,
  );
  const ids = results.map(idOf);
  const inOrder = times.every(
    (time, index) => time >= (index === 0 ? Math.max(fromMs, lastAtMs) : times[index - 1]!) && ids[index] !== undefined,
  );
  if (!inOrder) return { ...(cursor.from === undefined ? {} : { from: cursor.from }), start, byOffset: true };
  const last = times[times.length - 1]!;
  const lastAt = new Date(last).toISOString();
  const oldestFirst = cursor.oldestFirst === true || times[0]! < last || (lastAtMs > fromMs && last > lastAtMs);
  if (oldestFirst && last > fromMs) {
    const seen = ids.filter((_, index) => times[index] === last) as string[];
    return { from: lastAt, start: 0, seen, lastAt, oldestFirst };
  }
  const known = oldestFirst ? { oldestFirst } : {};
  if (cursor.start === 0 && last === fromMs) {
    // Every event of the page is of the instant listed from: list from it again, skipping every id compared at it.
    const seen = [...new Set([...(cursor.seen ?? []), ...(ids as string[])])];
    const more = seen.length > (cursor.seen?.length ?? 0);
    if (more && seen.length + pageSize <= MAX_EVENT_PAGE_SIZE)
      return { from: lastAt, start: 0, seen, lastAt, ...known };
  }
  // By offset, `seen` stays as it was; a run lists an event once however the pages fall (reconcile skips an id it
  // compared).
  return { ...cursor, start, lastAt, ...known };
}

function idOf(listed: Record<string, unknown>): string | undefined {
  return typeof listed.id === 'string' ? listed.id : undefined;
}
