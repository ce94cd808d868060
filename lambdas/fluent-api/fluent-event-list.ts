import type { FluentApi } from './fluent-api-client';
import type { FluentEventFilter } from './fluent-outbound-event';
import { Clock, SYSTEM_CLOCK } from './retry-timing';

import { DEFAULT_EVENT_PAGE_SIZE, MAX_EVENT_PAGE_SIZE } from '../contract/reconciliation';

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
  /** The offset of the first page: where a run cut short before stopped. @default 0 */
  readonly start?: number;
}

/** One page as the listing read it. */
export interface ListedEventPage {
  /** 1 for the first page. */
  readonly page: number;
  /** The offset the page was asked for at. */
  readonly start: number;
  readonly results: ReadonlyArray<Record<string, unknown>>;
}

/** Why a listing ended: Fluent had no more, or one of the run's bounds stopped it first. */
export type EventListEnd = 'complete' | 'max-pages' | 'deadline';

/**
 * Reads every event a filter matches, page by page (`start`/`count`, until `hasMore` is false), within a number of
 * pages and a deadline. Each page is one `getEvents` call of the client, so 429 (with Retry-After), 5xx and network
 * errors are retried there, each call within the client's own time; a call that still fails throws out of the
 * iteration. `end` says why the iteration stopped once it has.
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
    let start = this.bounds.start ?? 0;
    for (let page = 1; ; page += 1) {
      if (page > this.bounds.maxPages) return this.stop('max-pages');
      if (this.clock.now() >= this.bounds.deadline) return this.stop('deadline');
      const answer = await this.api.getEvents({ ...this.filter, start, count: this.pageSize });
      yield { page, start, results: answer.results };
      // An empty page that claims more would ask for the same offset forever.
      if (answer.hasMore !== true || answer.results.length === 0) return this.stop('complete');
      start += answer.results.length;
    }
  }

  private stop(end: EventListEnd): void {
    this.end = end;
  }
}
