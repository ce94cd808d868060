import { doorFailureWindows, planSweepWindows, recentWindow } from '../core/sweep-windows';
import type { HistoryStore } from '../contract/history';
import type { EventListCursor, ReconciliationQuery } from '../contract/reconciliation';
import {
  ReconciliationSweepSettings,
  SWEEP_DEFAULTS,
  SWEEP_QUERY_FIELDS,
  SweepCheckpoint,
  SweepIdName,
  sweepLookbackMinutes,
} from '../contract/reconciliation-sweep';
import type { FluentApi } from '../fluent-api/fluent-api-client';
import { BackfillSink, reconcile, ReconciliationReport } from './reconcile-run';

/** What {@link CheckpointStore.claim} answers when another run holds the sweep. */
export const SWEEP_BUSY = 'busy';

/**
 * Where sweeps keep their checkpoints. A run claims its sweep for a while (a lease) so that two runs never compare
 * the same sweep at once, saves its position after every page, and releases the sweep when it stops.
 */
export interface CheckpointStore {
  /** The sweep's last checkpoint (none: never run), or {@link SWEEP_BUSY} while another holder's lease lasts. */
  claim(
    sweep: SweepIdName,
    holder: string,
    leaseUntil: number,
  ): Promise<{ readonly checkpoint?: SweepCheckpoint } | typeof SWEEP_BUSY>;
  /** Saves the holder's position; refused (throws) when the holder no longer holds the sweep. */
  save(holder: string, checkpoint: SweepCheckpoint): Promise<void>;
  release(sweep: SweepIdName, holder: string): Promise<void>;
}

/**
 * The minutes (epoch ms of each minute's start) in which the door answered 5xx or was throttled, between two
 * times: the API Gateway stage's metrics deployed, the local gateway's answers under npm start.
 */
export type DoorFailureSource = (range: { readonly from: Date; readonly to: Date }) => Promise<readonly number[]>;

export interface SweepRun {
  readonly sweep: SweepIdName;
  readonly settings: ReconciliationSweepSettings;
  readonly fluent: Pick<FluentApi, 'getEvents'>;
  readonly history: Pick<HistoryStore, 'entriesOf'>;
  /** Absent: a dry run. */
  readonly backfill?: BackfillSink;
  readonly checkpoints: CheckpointStore;
  readonly doorFailures?: DoorFailureSource;
  /** Who runs (the Lambda's request id): the lease's holder. */
  readonly holder: string;
  /** Epoch ms after which no page is asked for; the checkpoint keeps the position for the next run. */
  readonly deadline: number;
  /** Only continue a run cut short; never plan a new one. */
  readonly resumeOnly?: boolean;
  /** @default the system clock */
  readonly now?: () => Date;
}

/** How one invocation of a sweep went. */
export interface SweepReport {
  readonly sweep: SweepIdName;
  /**
   * `complete`: every window compared to its end; `stopped`: the deadline came first (the next run resumes);
   * `busy`: another run holds the sweep; `idle`: nothing to resume (`resumeOnly`).
   */
  readonly outcome: 'complete' | 'stopped' | 'busy' | 'idle';
  /** True when this run continued a plan that an earlier run had not finished. */
  readonly resumed: boolean;
  readonly windows: number;
  readonly doorFailureWindows: number;
  readonly pages: number;
  readonly listed: number;
  readonly received: number;
  readonly gapsFound: number;
  readonly gapsBackfilled: number;
  readonly failed: ReconciliationReport['failed'];
  /** Why the door's metrics could not be read (the plan then has no door-failure windows). */
  readonly doorCheckError?: string;
}

/** Door metrics are read at most this far back (one-minute data points; CloudWatch keeps them for 15 days). */
const DOOR_CHECK_MAX_MS = 24 * 3600 * 1000;
/** The lease outlasts the deadline by this, to cover the page in hand when the deadline passes. */
const LEASE_MARGIN_MS = 120_000;

/**
 * One invocation of a scheduled sweep: resumes the sweep's run where it stopped, or plans a new one (the windows
 * where the door failed first, then the rest of the recent window), and compares it page by page with the same
 * `reconcile()` the CLI runs, saving the position after every page. A run cut by the deadline (or by the Lambda's
 * timeout, between saves) resumes at the next invocation, at the first page it had not finished.
 */
export async function runSweep(run: SweepRun): Promise<SweepReport> {
  const now = run.now ?? (() => new Date());
  const empty = { pages: 0, listed: 0, received: 0, gapsFound: 0, gapsBackfilled: 0, failed: [] };
  const claimed = await run.checkpoints.claim(run.sweep, run.holder, run.deadline + LEASE_MARGIN_MS);
  if (claimed === SWEEP_BUSY) {
    return { sweep: run.sweep, outcome: 'busy', resumed: false, windows: 0, doorFailureWindows: 0, ...empty };
  }
  try {
    const previous = claimed.checkpoint;
    const resumed = previous !== undefined && !previous.done;
    if (!resumed && run.resumeOnly === true) {
      return { sweep: run.sweep, outcome: 'idle', resumed, windows: 0, doorFailureWindows: 0, ...empty };
    }
    const planned = resumed ? { checkpoint: previous } : await plan(run, now(), previous);
    const checkpoint = planned.checkpoint;
    if (!resumed) await run.checkpoints.save(run.holder, checkpoint);
    const compared = await compare(run, checkpoint);
    return {
      sweep: run.sweep,
      outcome: compared.complete ? 'complete' : 'stopped',
      resumed,
      windows: checkpoint.windows.length,
      doorFailureWindows: checkpoint.windows.filter((window) => window.doorFailure === true).length,
      ...compared.totals,
      ...('doorCheckError' in planned && planned.doorCheckError !== undefined
        ? { doorCheckError: planned.doorCheckError }
        : {}),
    };
  } finally {
    await run.checkpoints.release(run.sweep, run.holder);
  }
}

async function plan(
  run: SweepRun,
  now: Date,
  previous: SweepCheckpoint | undefined,
): Promise<{ checkpoint: SweepCheckpoint; doorCheckError?: string }> {
  const window = recentWindow(
    now,
    sweepLookbackMinutes(run.settings, run.sweep),
    run.settings.settleMinutes ?? SWEEP_DEFAULTS.settleMinutes,
  );
  // From where the last plan stopped reading, so a failure between two sweeps is never missed.
  const checkFrom = Math.max(Date.parse(previous?.doorCheckedUntil ?? window.from), now.getTime() - DOOR_CHECK_MAX_MS);
  let failed: readonly number[] = [];
  let doorCheckError: string | undefined;
  let doorCheckedUntil = window.to;
  if (run.doorFailures !== undefined && checkFrom < Date.parse(window.to)) {
    try {
      failed = await run.doorFailures({ from: new Date(checkFrom), to: new Date(window.to) });
    } catch (error) {
      // The sweep still compares its whole window; the next plan reads the door's metrics from here again.
      doorCheckError = (error as Error).message;
      doorCheckedUntil = new Date(checkFrom).toISOString();
    }
  }
  const checkpoint: SweepCheckpoint = {
    sweep: run.sweep,
    plannedAt: now.toISOString(),
    windows: planSweepWindows(window, doorFailureWindows(failed)),
    window: 0,
    name: 0,
    start: 0,
    done: false,
    doorCheckedUntil,
  };
  return { checkpoint, ...(doorCheckError === undefined ? {} : { doorCheckError }) };
}

async function compare(
  run: SweepRun,
  checkpoint: SweepCheckpoint,
): Promise<{
  complete: boolean;
  totals: Omit<SweepReport, 'sweep' | 'outcome' | 'resumed' | 'windows' | 'doorFailureWindows' | 'doorCheckError'>;
}> {
  const totals = {
    pages: 0,
    listed: 0,
    received: 0,
    gapsFound: 0,
    gapsBackfilled: 0,
    failed: [] as Array<{ id: string; problem: string }>,
  };
  const names = run.settings.names;
  let position = checkpoint;
  const save = async (next: Partial<SweepCheckpoint>): Promise<void> => {
    position = { ...position, ...next };
    await run.checkpoints.save(run.holder, position);
  };
  for (let window = checkpoint.window; window < checkpoint.windows.length; window += 1) {
    const { from, to } = checkpoint.windows[window]!;
    const firstName = window === checkpoint.window ? checkpoint.name : 0;
    for (let name = firstName; name < names.length; name += 1) {
      const cursor = window === checkpoint.window && name === checkpoint.name ? cursorOf(checkpoint) : undefined;
      const report = await reconcile({
        fluent: run.fluent,
        history: run.history,
        query: { ...queryOf(run.settings), names: [names[name]!], from, to },
        bounds: {
          pageSize: run.settings.pageSize ?? SWEEP_DEFAULTS.pageSize,
          maxPages: Number.MAX_SAFE_INTEGER,
          deadline: run.deadline,
          cursor,
          clock: { now: () => (run.now?.() ?? new Date()).getTime() },
        },
        ...(run.backfill === undefined ? {} : { backfill: run.backfill }),
        onPage: ({ next }) => save({ window, name, start: 0, cursor: next }),
      });
      totals.pages += report.pages;
      totals.listed += report.listed;
      totals.received += report.received;
      totals.gapsFound += report.gaps;
      totals.gapsBackfilled += report.backfilled;
      totals.failed.push(...report.failed);
      if (report.end !== 'complete') return { complete: false, totals };
      await save({ window, name: name + 1, start: 0, cursor: undefined });
    }
  }
  await save({ window: checkpoint.windows.length, name: 0, start: 0, cursor: undefined, done: true });
  return { complete: true, totals };
}

/** Where the checkpoint's name goes on: its cursor, or the page offset a checkpoint saved before the cursor kept. */
function cursorOf(checkpoint: SweepCheckpoint): EventListCursor | undefined {
  return checkpoint.cursor ?? (checkpoint.start > 0 ? { start: checkpoint.start } : undefined);
}

/** The settings' query filters: `reconcile`'s query but for the names and the window. */
function queryOf(settings: ReconciliationSweepSettings): Omit<ReconciliationQuery, 'names' | 'from' | 'to'> {
  return Object.fromEntries(
    SWEEP_QUERY_FIELDS.flatMap((field) => (settings[field] === undefined ? [] : [[field, settings[field]]])),
  );
}
