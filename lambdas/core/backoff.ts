/** How long retries wait: the first about `baseMs`, each further one twice as long, none longer than `capMs`. */
export interface Backoff {
  readonly baseMs: number;
  readonly capMs: number;
}

/**
 * The wait before retry number `retry` (1 for the first): exponential, capped, with "equal jitter" (half fixed, half
 * random), so that many clients failing together do not retry in step.
 */
export function backoffDelayMs(retry: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
