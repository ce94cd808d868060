import { backoffDelayMs } from '../../../lambdas/core/backoff';

describe('Function: backoffDelayMs', () => {
  const backoff = { baseMs: 100, capMs: 1_000 };

  it('waits between half and all of a ceiling that doubles with each retry', () => {
    expect([1, 2, 3].map((retry) => backoffDelayMs(retry, backoff, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((retry) => backoffDelayMs(retry, backoff, () => 0.999999))).toEqual([100, 200, 400]);
  });

  it('never waits longer than the cap', () => {
    expect(backoffDelayMs(10, backoff, () => 0.999999)).toBe(1_000);
    expect(backoffDelayMs(10, backoff, () => 0)).toBe(500);
  });
});
