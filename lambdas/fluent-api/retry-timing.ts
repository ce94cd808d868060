import { backoffDelayMs } from '../core/backoff';

/** Time as the client sees it: injectable, so tests never wait on a real clock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1), for jitter. */
  random(): number;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** The first retry waits about this long; each further one twice as long. */
export const BACKOFF_BASE_MS = 500;
/** No backoff wait is longer than this (Fluent's SDK caps at 10 s too). */
export const BACKOFF_CAP_MS = 10_000;
/** The shortest wait before any retry (the first backoff's fixed half), whatever a `Retry-After` says. */
export const MIN_RETRY_WAIT_MS = BACKOFF_BASE_MS / 2;

/** The wait before retry number `retry` (1 for the first) of a call to Fluent's API: see {@link backoffDelayMs}. */
export function backoffMs(retry: number, random: () => number): number {
  return backoffDelayMs(retry, { baseMs: BACKOFF_BASE_MS, capMs: BACKOFF_CAP_MS }, random);
}

/** A `Retry-After` longer than this counts as this long (it is past any call's deadline anyway). */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * A `Retry-After` header as milliseconds from `now`: delay-seconds or an HTTP date, at most
 * {@link MAX_RETRY_AFTER_MS}. Undefined when absent or unreadable (the caller then backs off as for a 5xx). The
 * caller never waits less than its backoff, whatever this says (0, a date gone by).
 */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isNaN(ms) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
