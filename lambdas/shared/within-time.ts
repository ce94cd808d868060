/** What {@link withinMs} resolves with when the work has not settled in time. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * Waits for `work`, but at most `ms`: resolves (or rejects) as `work` does, or with {@link TIMED_OUT}. Nothing can
 * cancel a promise, so late work goes on running in the background; a later rejection is handled here and goes
 * nowhere.
 */
export async function withinMs<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
