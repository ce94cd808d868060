/** One HTTP attempt of a Fluent call, as logged and counted. Holds no URL query, body, credential or token. */
export interface FluentAttemptRecord {
  /** `sendEvent`, `graphql`, `getEvents` or `token`. */
  readonly operation: string;
  /** The HTTP status as text (`200`, `503`), or `network` / `timeout` when no answer came. */
  readonly status: string;
  /** 1 for the first attempt of the call. */
  readonly attempt: number;
  readonly durationMs: number;
  /** What the client does next: `done`, `retry` (after a wait), `refresh-token` (then retry) or `fail`. */
  readonly next: 'done' | 'retry' | 'refresh-token' | 'fail';
  readonly correlationId: string;
}

/** Told about every attempt; the consumer turns these into log lines and metrics. Must not throw. */
export interface FluentCallObserver {
  attempt(record: FluentAttemptRecord): void;
}

export const SILENT_OBSERVER: FluentCallObserver = { attempt: () => undefined };
