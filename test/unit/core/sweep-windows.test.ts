import { doorFailureWindows, minuteOf, planSweepWindows, recentWindow } from '../../../lambdas/core/sweep-windows';

const T = Date.parse('2026-12-06T12:00:00.000Z');
const MINUTE = 60_000;
const at = (minutes: number) => new Date(T + minutes * MINUTE).toISOString();

describe('Function: recentWindow', () => {
  it('reaches lookbackMinutes back and leaves out the last settleMinutes', () => {
    expect(recentWindow(new Date(T), 120, 5)).toEqual({ from: at(-120), to: at(-5) });
  });
});

describe('Function: doorFailureWindows', () => {
  it('widens each failed minute by the lead and the trail, and merges those that overlap, oldest first', () => {
    // Act
    const windows = doorFailureWindows([T + 30 * MINUTE, T, T + MINUTE, T]);

    // Assess
    expect(windows).toEqual([
      { from: at(-5), to: at(3), doorFailure: true },
      { from: at(25), to: at(32), doorFailure: true },
    ]);
  });

  it('merges more windows than maxWindows into one from the first to the last, bounding the listings', () => {
    // Act
    const windows = doorFailureWindows(
      [0, 20, 40, 60].map((minutes) => T + minutes * MINUTE),
      { maxWindows: 3 },
    );

    // Assess
    expect(windows).toEqual([{ from: at(-5), to: at(62), doorFailure: true }]);
  });

  it('gives no window without failures', () => {
    expect(doorFailureWindows([])).toEqual([]);
  });
});

describe('Function: planSweepWindows', () => {
  const window = { from: at(-120), to: at(-5) };

  it('puts the door-failure windows first, then the rest of the window around them, with no overlap', () => {
    // Act
    const plan = planSweepWindows(window, [
      { from: at(-60), to: at(-50), doorFailure: true },
      { from: at(-100), to: at(-90), doorFailure: true },
    ]);

    // Assess
    const ms = (iso: string, delta: number) => new Date(Date.parse(iso) + delta).toISOString();
    expect(plan).toEqual([
      { from: at(-100), to: at(-90), doorFailure: true },
      { from: at(-60), to: at(-50), doorFailure: true },
      { from: at(-120), to: ms(at(-100), -1) },
      { from: ms(at(-90), 1), to: ms(at(-60), -1) },
      { from: ms(at(-50), 1), to: at(-5) },
    ]);
  });

  it('keeps a failure older than the window (a sweep that was off), and clips one that is still settling', () => {
    // Act
    const plan = planSweepWindows(window, [
      { from: at(-300), to: at(-290), doorFailure: true },
      { from: at(-8), to: at(2), doorFailure: true },
    ]);

    // Assess
    expect(plan[0]).toEqual({ from: at(-300), to: at(-290), doorFailure: true });
    expect(plan[1]).toEqual({ from: at(-8), to: at(-5), doorFailure: true });
    expect(plan.slice(2)).toEqual([{ from: at(-120), to: new Date(T - 8 * MINUTE - 1).toISOString() }]);
  });

  it('is the window alone without failures, and drops a failure that lies wholly in the settling minutes', () => {
    expect(planSweepWindows(window, [])).toEqual([window]);
    expect(planSweepWindows(window, [{ from: at(-2), to: at(1), doorFailure: true }])).toEqual([window]);
  });
});

describe('Function: minuteOf', () => {
  it('is the start of the minute a time falls in', () => {
    expect(minuteOf(T + 59_999)).toBe(T);
  });
});
