/** What {@link withinSeconds} resolves with when the work has not settled in time. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * Waits for `work`, but at most `seconds`: resolves (or rejects) as `work` does, or with {@link TIMED_OUT}.
 * Nothing can cancel a promise, so late work goes on running in the background; a later rejection is handled
 * here and goes nowhere.
 */
export async function withinSeconds<T>(work: Promise<T>, seconds: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), seconds * 1000);
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
