/*
 * Which stretches of time a reconciliation sweep compares, and in which order: the windows where the door failed
 * first, then the rest of the recent window. Pure: the sweep Lambda and the local runner feed it the door's
 * failures as they know them (CloudWatch's API Gateway metrics, the local gateway's answers).
 */

/** One stretch of time, on the listed events' `generatedOn` (ISO 8601, both ends inclusive). */
export interface SweepWindow {
  readonly from: string;
  readonly to: string;
  /** Set for a window where the door answered 5xx or was throttled: compared before the rest. */
  readonly doorFailure?: boolean;
}

const MINUTE_MS = 60_000;

export interface DoorWindowOptions {
  /**
   * Minutes before a failed minute that the window starts: an event is generated some time before Fluent first
   * tries to deliver it. @default 5
   */
  readonly leadMinutes?: number;
  /** Minutes after a failed minute that the window still covers (Fluent's default retries end 14 s later). @default 1 */
  readonly trailMinutes?: number;
  /** More windows than this are merged into one from the first to the last: a bound on Fluent listings. @default 10 */
  readonly maxWindows?: number;
}

/**
 * The windows to compare first, from the minutes (epoch ms of the minute's start) in which the door answered 5xx or
 * was throttled: each widened by the lead and trail, overlapping ones merged, oldest first.
 */
export function doorFailureWindows(failedMinutes: readonly number[], options: DoorWindowOptions = {}): SweepWindow[] {
  const lead = (options.leadMinutes ?? 5) * MINUTE_MS;
  const trail = (options.trailMinutes ?? 1) * MINUTE_MS;
  const spans: Array<[number, number]> = [];
  for (const minute of [...new Set(failedMinutes)].sort((a, b) => a - b)) {
    const from = minute - lead;
    const to = minute + MINUTE_MS + trail;
    const last = spans.at(-1);
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else spans.push([from, to]);
  }
  const maxWindows = options.maxWindows ?? 10;
  const bounded = spans.length > maxWindows ? [[spans[0]![0], spans.at(-1)![1]] as [number, number]] : spans;
  return bounded.map(([from, to]) => ({ from: iso(from), to: iso(to), doorFailure: true }));
}

/**
 * A sweep's plan: the door-failure windows first (clipped to end at `window.to`, so nothing still settling is
 * compared), then what is left of `window` without them, oldest first. The windows never overlap, so no event is
 * compared twice in one run.
 */
export function planSweepWindows(window: SweepWindow, doorFailures: readonly SweepWindow[]): SweepWindow[] {
  const end = Date.parse(window.to);
  const failures = doorFailures
    .map((failure) => ({ from: Date.parse(failure.from), to: Math.min(Date.parse(failure.to), end) }))
    .filter((failure) => failure.from <= failure.to)
    .sort((a, b) => a.from - b.from);
  const rest: SweepWindow[] = [];
  let cursor = Date.parse(window.from);
  for (const failure of failures) {
    // Both ends are inclusive: the rest stops a millisecond before a failure window and resumes a millisecond after.
    if (failure.from > cursor) rest.push({ from: iso(cursor), to: iso(failure.from - 1) });
    cursor = Math.max(cursor, failure.to + 1);
  }
  if (cursor <= end) rest.push({ from: iso(cursor), to: iso(end) });
  return [...failures.map((failure) => ({ from: iso(failure.from), to: iso(failure.to), doorFailure: true })), ...rest];
}

/** The recent window of a sweep started at `now`: `lookbackMinutes` back, less the last `settleMinutes`. */
export function recentWindow(now: Date, lookbackMinutes: number, settleMinutes: number): SweepWindow {
  const to = now.getTime() - settleMinutes * MINUTE_MS;
  return { from: iso(now.getTime() - lookbackMinutes * MINUTE_MS), to: iso(to) };
}

/** The start of the minute `time` falls in (epoch ms). */
export function minuteOf(time: number): number {
  return Math.floor(time / MINUTE_MS) * MINUTE_MS;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}
