import type { HistoryEntry } from '../../../lambdas/contract/history';
import type { FluentEventFilter, FluentEventPage } from '../../../lambdas/fluent-api';
import { FluentEventList } from '../../../lambdas/fluent-api/fluent-event-list';
import { reconcile } from '../../../lambdas/reconcile/reconcile-run';

const listed = (id: string, name = 'OrderStatusChange') => ({
  id,
  name,
  accountId: 'ACME',
  retailerId: '1',
  generatedOn: '2026-12-01T10:00:00.000Z',
  context: { entityType: 'ORDER', entityId: '1', entityRef: `HD_${id}` },
});

/** Fluent's listing over `events`, `pageSize` a page; records each filter it was asked with. */
function fakeFluent(events: ReadonlyArray<Record<string, unknown>>, pageSize: number) {
  const asked: FluentEventFilter[] = [];
  return {
    asked,
    getEvents: async (filter: FluentEventFilter = {}): Promise<FluentEventPage> => {
      asked.push(filter);
      const matching = events.filter((event) => filter.name === undefined || event.name === filter.name);
      const start = filter.start ?? 0;
      const results = matching.slice(start, start + Math.min(pageSize, filter.count ?? 100));
      return { start, count: results.length, hasMore: start + results.length < matching.length, results };
    },
  };
}

function historyOf(ids: readonly string[]) {
  const asked: Array<readonly string[]> = [];
  return {
    asked,
    entriesOf: async (eventIds: readonly string[]): Promise<HistoryEntry[]> => {
      asked.push(eventIds);
      return eventIds.filter((id) => ids.includes(id)).map((eventId) => ({ eventId }) as HistoryEntry);
    },
  };
}

const bounds = { maxPages: 100, deadline: Number.MAX_SAFE_INTEGER, pageSize: 2 };
const query = { names: ['OrderStatusChange'], from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' };

describe('reconcile', () => {
  it('compares page by page and backfills each gap once as the flat webhook', async () => {
    // Prepare
    const fluent = fakeFluent(
      ['a', 'b', 'c', 'd', 'e'].map((id) => listed(id)),
      2,
    );
    const history = historyOf(['a', 'c', 'e']);
    const sent: Array<{ id: string; body: string }> = [];
    const progress: number[] = [];

    // Act
    const report = await reconcile({
      fluent,
      history,
      query,
      bounds,
      backfill: async (event) => {
        sent.push(event);
      },
      onProgress: (counts) => progress.push(counts.listed),
    });

    // Assess
    expect(report).toMatchObject({ pages: 3, listed: 5, received: 3, gaps: 2, backfilled: 2, end: 'complete' });
    expect(report.gapEvents).toEqual([
      { id: 'b', name: 'OrderStatusChange', entityRef: 'HD_b', generatedOn: '2026-12-01T10:00:00.000Z' },
      { id: 'd', name: 'OrderStatusChange', entityRef: 'HD_d', generatedOn: '2026-12-01T10:00:00.000Z' },
    ]);
    expect(sent.map((event) => JSON.parse(event.body))).toEqual([
      expect.objectContaining({ id: 'b', entityRef: 'HD_b', entityType: 'ORDER' }),
      expect.objectContaining({ id: 'd', entityRef: 'HD_d', entityType: 'ORDER' }),
    ]);
    expect(progress).toEqual([2, 4, 5]);
    expect(history.asked).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(fluent.asked[0]).toMatchObject({
      name: 'OrderStatusChange',
      eventType: 'ORCHESTRATION',
      start: 0,
      count: 2,
    });
  });

  it('sends nothing in a dry run, lists each name on its own and ignores events of other names', async () => {
    // Prepare
    const fluent = fakeFluent([listed('a'), listed('x', 'Other'), listed('b', 'ReturnCreated')], 5);
    const stray = { getEvents: async () => ({ results: [listed('a'), listed('x', 'Other')] }) };

    // Act
    const report = await reconcile({
      fluent,
      history: historyOf([]),
      query: { ...query, names: ['OrderStatusChange', 'ReturnCreated'] },
      bounds,
    });
    const strayReport = await reconcile({ fluent: stray, history: historyOf([]), query, bounds });

    // Assess
    expect(report.gapEvents.map((gap) => gap.id)).toEqual(['a', 'b']);
    expect(report.backfilled).toBe(0);
    expect(fluent.asked.map((asked) => asked.name)).toEqual(['OrderStatusChange', 'ReturnCreated']);
    expect(strayReport).toMatchObject({ listed: 1, ignored: 1 });
  });

  it('stops at the page bound and says the run is incomplete', async () => {
    // Prepare
    const fluent = fakeFluent(
      ['a', 'b', 'c', 'd', 'e'].map((id) => listed(id)),
      2,
    );

    // Act
    const report = await reconcile({ fluent, history: historyOf([]), query, bounds: { ...bounds, maxPages: 2 } });

    // Assess
    expect(report).toMatchObject({ pages: 2, listed: 4, end: 'max-pages' });
  });

  it('keeps a gap it could not queue in failed, and one that cannot be mapped is reported, not sent', async () => {
    // Prepare
    const fluent = fakeFluent([listed('a'), { ...listed('b'), context: {} }], 5);

    // Act
    const report = await reconcile({
      fluent,
      history: historyOf([]),
      query,
      bounds,
      backfill: async () => {
        throw new Error('queue unreachable');
      },
    });

    // Assess
    expect(report).toMatchObject({ gaps: 2, backfilled: 0 });
    expect(report.failed).toEqual([
      { id: 'a', problem: 'could not queue it: queue unreachable' },
      { id: 'b', problem: expect.stringContaining('lacks what a webhook needs') },
    ]);
  });
});

describe('reconcile over a listing that changes between pages', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute)).toISOString();
  const timed = (id: string, minute: number) => ({ ...listed(id), generatedOn: at(minute) });

  /**
   * Fluent's listing as the stand-in answers it: `from`/`to` on generatedOn, oldest first (or newest first), paged
   * by `start`/`count` (at most `holds` a page, if given); `afterCall` changes what it lists next (events aging out
   * of its 30 days, say).
   */
  function listing(
    events: Array<Record<string, unknown>>,
    options: { newestFirst?: boolean; holds?: number; afterCall?: (calls: number) => void } = {},
  ) {
    const asked: FluentEventFilter[] = [];
    return {
      asked,
      events,
      getEvents: async (filter: FluentEventFilter = {}): Promise<FluentEventPage> => {
        asked.push(filter);
        const time = (event: Record<string, unknown>) => String(event.generatedOn);
        const matching = events
          .filter((event) => filter.from === undefined || time(event) >= new Date(filter.from).toISOString())
          .filter((event) => filter.to === undefined || time(event) <= new Date(filter.to).toISOString())
          .map((event, order) => ({ event, order }))
          .sort((a, b) => time(a.event).localeCompare(time(b.event)) || a.order - b.order)
          .map(({ event }) => event);
        if (options.newestFirst === true) matching.reverse();
        const start = filter.start ?? 0;
        const results = matching.slice(start, start + Math.min(filter.count ?? 100, options.holds ?? Infinity));
        options.afterCall?.(asked.length);
        return { start, count: results.length, hasMore: start + results.length < matching.length, results };
      },
    };
  }
  const compared = (report: { gapEvents: ReadonlyArray<{ id: string }> }) => report.gapEvents.map((gap) => gap.id);

  it('misses no event when events leave the head of the listing between two pages', async () => {
    // Prepare: after the first page, the two oldest events age out (Fluent keeps 30 days; a nightly sweep's window
    // starts 30 days back), so every later event moves two places up the listing.
    const events = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, minute) => timed(id, minute));
    const fluent = listing(events, {
      afterCall: (calls) => {
        if (calls === 1) events.splice(0, 2);
      },
    });

    // Act
    const report = await reconcile({ fluent, history: historyOf([]), query, bounds });

    // Assess
    expect(compared(report)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(report).toMatchObject({ listed: 6, end: 'complete' });
  });

  it('misses no event when events leave the head between pages of one event each (page size 1)', async () => {
    // Prepare: no page of one event shows two instants, so the order shows only from one page to the next; once it
    // has (page 2), the two oldest age out.
    const events = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, minute) => timed(id, minute));
    const fluent = listing(events, {
      afterCall: (calls) => {
        if (calls === 2) events.splice(0, 2);
      },
    });

    // Act
    const report = await reconcile({ fluent, history: historyOf([]), query, bounds: { ...bounds, pageSize: 1 } });

    // Assess
    expect(compared(report)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(report).toMatchObject({ listed: 6, end: 'complete' });
    // Two pages by offset (the order not known yet), then each from the last event's time, re-listing it.
    expect(fluent.asked.map((asked) => [asked.from, asked.start, asked.count])).toEqual([
      [query.from, 0, 1],
      [query.from, 1, 1],
      [at(1), 0, 2],
      [at(3), 0, 2],
      [at(4), 0, 2],
    ]);
  });

  it('misses no event when more than a page of events at the window start lose their oldest between pages', async () => {
    // Prepare: four events at the window's first instant (a page holds two), then three later; after the first
    // page, the oldest ages out.
    const events = [
      ...['a', 'b', 'c', 'd'].map((id) => timed(id, 0)),
      ...['e', 'f', 'g'].map((id, minute) => timed(id, minute + 1)),
    ];
    const fluent = listing(events, {
      afterCall: (calls) => {
        if (calls === 1) events.splice(0, 1);
      },
    });

    // Act
    const report = await reconcile({ fluent, history: historyOf([]), query: { ...query, from: at(0) }, bounds });

    // Assess
    expect(compared(report)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(report).toMatchObject({ listed: 7, end: 'complete' });
  });

  it('compares each of many events generated at the same instant once, across pages, and ends', async () => {
    // Prepare: five events at one instant, more than a page of them, between two others.
    const fluent = listing([timed('a', 1), ...['b', 'c', 'd', 'e', 'f'].map((id) => timed(id, 2)), timed('g', 3)]);

    // Act
    const report = await reconcile({ fluent, history: historyOf([]), query, bounds });

    // Assess
    expect(compared(report)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(report).toMatchObject({ listed: 7, end: 'complete' });
    expect(fluent.asked.length).toBeLessThanOrEqual(6);
  });

  it('goes on by offset at an instant when Fluent answers fewer than asked, instead of re-listing it forever', async () => {
    // Prepare: five events at the window's first instant; Fluent holds two a page whatever the count asks.
    const fluent = listing([...['a', 'b', 'c', 'd', 'e'].map((id) => timed(id, 0)), timed('f', 1)], { holds: 2 });

    // Act
    const report = await reconcile({ fluent, history: historyOf([]), query: { ...query, from: at(0) }, bounds });

    // Assess: the second page brings nothing new, so the third goes on after it by offset.
    expect(compared(report)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(report).toMatchObject({ listed: 6, end: 'complete' });
    expect(fluent.asked.map((asked) => [asked.from, asked.start])).toEqual([
      [at(0), 0],
      [at(0), 0],
      [at(0), 2],
      [at(0), 4],
    ]);
  });

  it('lists each event once past 5,000 at one instant (page size 5,000), in three calls', async () => {
    // Prepare: 4,999 of them fill the first page beside an earlier event, so the second re-lists them with one new.
    const many = Array.from({ length: 6000 }, (_, index) => timed(`m${index}`, 1));
    const fluent = listing([timed('a', 0), ...many, timed('z', 2)]);
    const list = new FluentEventList(fluent, { from: query.from }, { ...bounds, pageSize: 5000 });

    // Act
    const ids: unknown[] = [];
    for await (const page of list) ids.push(...page.results.map((event) => event.id));

    // Assess
    expect(ids).toHaveLength(6002);
    expect(new Set(ids).size).toBe(6002);
    expect(fluent.asked.map((asked) => [asked.from, asked.start, asked.count])).toEqual([
      [query.from, 0, 5000],
      [at(1), 0, 5000],
      [at(1), 5000, 5000],
    ]);
    expect(list.end).toBe('complete');
  });

  it('resumes a cursor saved before `lastAt` existed (a sweep checkpoint of the previous version)', async () => {
    // Prepare: the previous version stopped after a page that ended with b, at minute 1.
    const fluent = listing(['a', 'b', 'c', 'd'].map((id, minute) => timed(id, minute)));
    const cursor = { from: at(1), start: 0, seen: ['b'], oldestFirst: true };

    // Act
    const report = await reconcile({ fluent, history: historyOf([]), query, bounds: { ...bounds, cursor } });

    // Assess
    expect(compared(report)).toEqual(['c', 'd']);
    expect(fluent.asked[0]).toMatchObject({ from: at(1), start: 0, count: 3 });
  });

  it('pages by offset, as before, through a newest-first listing of one event a page', async () => {
    // Prepare
    const fluent = listing(
      ['a', 'b', 'c'].map((id, minute) => timed(id, minute)),
      { newestFirst: true },
    );

    // Act
    const report = await reconcile({ fluent, history: historyOf([]), query, bounds: { ...bounds, pageSize: 1 } });

    // Assess
    expect(compared(report)).toEqual(['c', 'b', 'a']);
    expect(fluent.asked.map((asked) => [asked.from, asked.start])).toEqual([
      [query.from, 0],
      [query.from, 1],
      [query.from, 2],
    ]);
  });

  it('pages by offset, as before, through a listing that is not oldest first', async () => {
    // Prepare
    const fluent = listing(
      ['a', 'b', 'c', 'd', 'e'].map((id, minute) => timed(id, minute)),
      { newestFirst: true },
    );

    // Act
    const report = await reconcile({ fluent, history: historyOf([]), query, bounds });

    // Assess
    expect(compared(report)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(fluent.asked.map((asked) => asked.start)).toEqual([0, 2, 4]);
  });
});

describe('FluentEventList', () => {
  it('stops at the deadline before asking for another page', async () => {
    // Prepare
    let now = 0;
    const fluent = fakeFluent(
      ['a', 'b', 'c'].map((id) => listed(id)),
      1,
    );
    const list = new FluentEventList(
      { getEvents: async (filter) => ((now += 10), fluent.getEvents(filter)) },
      { name: 'OrderStatusChange' },
      { pageSize: 1, maxPages: 10, deadline: 15, clock: { now: () => now } },
    );

    // Act
    const pages = [];
    for await (const page of list) pages.push(page);

    // Assess
    expect(pages.map((page) => page.start)).toEqual([0, 1]);
    expect(list.end).toBe('deadline');
  });

  it('ends on an empty page that claims more, instead of asking for it forever', async () => {
    // Prepare
    const list = new FluentEventList(
      { getEvents: async () => ({ hasMore: true, results: [] }) },
      {},
      { maxPages: 10, deadline: Number.MAX_SAFE_INTEGER },
    );

    // Act
    const pages = [];
    for await (const page of list) pages.push(page);

    // Assess
    expect(pages).toHaveLength(1);
    expect(list.end).toBe('complete');
  });

  it('refuses a page size Fluent advises against', () => {
    expect(
      () => new FluentEventList({ getEvents: async () => ({ results: [] }) }, {}, { ...bounds, pageSize: 5001 }),
    ).toThrow('The page size must be a whole number from 1 to 5000, not 5001.');
  });
});
