import type { SweepCheckpoint, SweepIdName } from '../../../lambdas/contract/reconciliation-sweep';
import type { FluentEventFilter, FluentEventPage } from '../../../lambdas/fluent-api';
import { CheckpointStore, SWEEP_BUSY } from '../../../lambdas/reconcile/sweep';
import { invokeSweeps, SWEEP_LOG_MESSAGE } from '../../../lambdas/reconcile/sweep-invocation';

const NOW = Date.parse('2026-12-06T12:00:00.000Z');
const listed = (id: string, minutesAgo: number) => ({
  id,
  name: 'OrderStatusChange',
  accountId: 'ACME',
  retailerId: '1',
  generatedOn: new Date(NOW - minutesAgo * 60_000).toISOString(),
  context: { entityType: 'ORDER', entityId: '1', entityRef: `HD_${id}` },
});

/** Checkpoints in memory, with the lease rules of the DynamoDB store. */
class MemoryCheckpoints implements CheckpointStore {
  public readonly items = new Map<string, { checkpoint?: SweepCheckpoint; holder?: string; leaseUntil: number }>();
  public async claim(sweep: SweepIdName, holder: string, leaseUntil: number) {
    const item = this.items.get(sweep) ?? { leaseUntil: 0 };
    if (item.leaseUntil >= NOW) return SWEEP_BUSY;
    this.items.set(sweep, { ...item, holder, leaseUntil });
    return item.checkpoint === undefined ? {} : { checkpoint: item.checkpoint };
  }
  public async save(holder: string, checkpoint: SweepCheckpoint) {
    const item = this.items.get(checkpoint.sweep)!;
    if (item.holder !== holder) throw new Error('not the holder');
    this.items.set(checkpoint.sweep, { ...item, checkpoint });
  }
  public async release(sweep: SweepIdName, holder: string) {
    const item = this.items.get(sweep);
    if (item?.holder === holder) this.items.set(sweep, { ...item, leaseUntil: 0 });
  }
}

function rig(events: ReadonlyArray<Record<string, unknown>>, options: { failAfter?: number } = {}) {
  const asked: FluentEventFilter[] = [];
  const metrics: Array<[string, number]> = [];
  const lines: Array<[string, Record<string, unknown>]> = [];
  const backfilled: string[] = [];
  return {
    asked,
    metrics,
    lines,
    backfilled,
    checkpoints: new MemoryCheckpoints(),
    fluent: {
      getEvents: async (filter: FluentEventFilter = {}): Promise<FluentEventPage> => {
        asked.push(filter);
        if (options.failAfter !== undefined && asked.length > options.failAfter) throw new Error('Fluent is down');
        const matching = events.filter(
          (event) => String(event.generatedOn) >= filter.from! && String(event.generatedOn) <= filter.to!,
        );
        const start = filter.start ?? 0;
        const results = matching.slice(start, start + (filter.count ?? 100));
        return { start, count: results.length, hasMore: start + results.length < matching.length, results };
      },
    },
    logger: {
      info: (message: string, fields: Record<string, unknown>) => lines.push([message, fields]),
      warn: (message: string, fields: Record<string, unknown>) => lines.push([message, fields]),
    },
    metricsSink: {
      addMetric: (name: string, _unit: unknown, value: number) => void metrics.push([name, value]),
      publishStoredMetrics: () => undefined,
    },
  };
}

function invoke(r: ReturnType<typeof rig>, sweep: SweepIdName, pageSize = 100) {
  return invokeSweeps({
    run: {
      settings: { names: ['OrderStatusChange'], pageSize },
      fluent: r.fluent,
      history: { entriesOf: async () => [] },
      backfill: async ({ id }) => void r.backfilled.push(id),
      checkpoints: r.checkpoints,
      now: () => new Date(NOW),
    },
    sweep,
    holder: `holder-${r.asked.length}`,
    deadline: NOW + 600_000,
    logger: r.logger as never,
    metrics: r.metricsSink as never,
  });
}

describe('Function: invokeSweeps (one scheduled invocation)', () => {
  it('publishes GapsFound and GapsBackfilled once, and logs one summary line per sweep', async () => {
    // Prepare
    const r = rig([listed('a', 30), listed('b', 60)]);

    // Act
    const reports = await invoke(r, 'recent');

    // Assess
    expect(reports.map((report) => report.outcome)).toEqual(['complete']);
    expect(r.metrics).toEqual([
      ['GapsFound', 2],
      ['GapsBackfilled', 2],
    ]);
    expect(r.lines).toEqual([
      [SWEEP_LOG_MESSAGE, expect.objectContaining({ sweep: 'recent', gapsFound: 2, gapsBackfilled: 2, failed: 0 })],
    ]);
  });

  it('continues a nightly sweep an earlier invocation left unfinished, but never starts one', async () => {
    // Prepare: a nightly run cut after its first page; the next recent invocation has time left.
    const r = rig([listed('a', 30), listed('b', 3 * 24 * 60), listed('c', 2 * 24 * 60)], { failAfter: 1 });
    await expect(invoke(r, 'nightly', 1)).rejects.toThrow('Fluent is down');
    const failedMetrics = r.metrics.splice(0);
    const idle = rig([]);
    await invoke(idle, 'recent');

    // Act
    const healthy = { ...r, fluent: rig([listed('a', 30), listed('b', 3 * 24 * 60), listed('c', 2 * 24 * 60)]).fluent };
    const reports = await invoke(healthy, 'recent', 1);

    // Assess
    expect(failedMetrics).toEqual([
      ['GapsFound', 0],
      ['GapsBackfilled', 0],
    ]);
    expect(idle.lines.map(([, fields]) => fields.sweep)).toEqual(['recent']);
    expect(reports.map((report) => [report.sweep, report.outcome, report.resumed])).toEqual([
      ['recent', 'complete', false],
      ['nightly', 'complete', true],
    ]);
    // The nightly run resumed after its first page ('a'): it lists and backfills only the other two; the recent
    // sweep (whose history here is empty) backfills 'a' on its own.
    expect(reports[1]).toMatchObject({ listed: 2, gapsFound: 2 });
    expect(r.backfilled.sort()).toEqual(['a', 'a', 'b', 'c']);
  });
});
