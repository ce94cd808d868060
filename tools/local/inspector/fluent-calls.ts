import type { FluentCallDelivery, FluentCallTap } from '../../../lambdas/consumer/fluent-context';
import type { FluentAttemptRecord } from '../../../lambdas/fluent-api';
import { BoundedRing } from './bounded-ring';

/**
 * The calls each delivery's handler made to Fluent (the stand-in or FLUENT_API_URL), as the client saw them, kept
 * per run in a bounded ring so the inspector can show them beside the event. The client's attempt records hold no
 * URL, body, credential or token; nothing else is kept. Transient, like the log lines: a restart starts empty.
 */
export const FLUENT_ATTEMPTS_KEPT = 2000;
/** A correlation id Fluent answered with is shown cut to this length. */
const CORRELATION_ID_CHARS = 100;

/** One call as the page shows it: its attempts, the last one's status, and the time from first try to last answer. */
export interface FluentCallShown {
  readonly operation: string;
  /** The last attempt's status (`200`, `503`, `timeout`, `network`). */
  readonly status: string;
  /** `done`, or `fail` when the call gave up; `retry` / `refresh-token` while it is still going. */
  readonly next: FluentAttemptRecord['next'];
  readonly attempts: number;
  readonly retries: number;
  /** Every attempt's status, in order (`["503", "202"]`). */
  readonly statuses: readonly string[];
  readonly startedAt: string;
  readonly durationMs: number;
  readonly correlationId: string;
}

interface KeptAttempt {
  readonly eventId: string;
  readonly messageId: string;
  readonly startedMs: number;
  readonly endedMs: number;
  readonly record: FluentAttemptRecord;
}

export class FluentCallLog {
  private readonly kept: BoundedRing<KeptAttempt>;

  public constructor(
    limit = FLUENT_ATTEMPTS_KEPT,
    private readonly now: () => number = Date.now,
  ) {
    this.kept = new BoundedRing(limit);
  }

  /** For the consumer's `fluentCallTap`. */
  public readonly tap: FluentCallTap = (delivery, record) => {
    const endedMs = this.now();
    this.kept.add({
      eventId: delivery.eventId,
      messageId: delivery.messageId,
      startedMs: endedMs - record.durationMs,
      endedMs,
      record: { ...record, correlationId: record.correlationId.slice(0, CORRELATION_ID_CHARS) },
    });
  };

  /**
   * The calls made while handling this delivery, in the order they started. The attempts of one call share its
   * correlation id (and the token request has its own), so concurrent calls of one handler stay apart.
   */
  public callsFor(delivery: FluentCallDelivery): FluentCallShown[] {
    const calls = new Map<string, KeptAttempt[]>();
    for (const attempt of this.kept.all()) {
      if (attempt.eventId !== delivery.eventId || attempt.messageId !== delivery.messageId) continue;
      const key = `${attempt.record.operation} ${attempt.record.correlationId}`;
      calls.set(key, [...(calls.get(key) ?? []), attempt]);
    }
    return [...calls.values()].map((attempts) => {
      const first = attempts[0]!;
      const last = attempts[attempts.length - 1]!;
      return {
        operation: first.record.operation,
        status: last.record.status,
        next: last.record.next,
        attempts: attempts.length,
        retries: attempts.length - 1,
        statuses: attempts.map((attempt) => attempt.record.status),
        startedAt: new Date(first.startedMs).toISOString(),
        durationMs: last.endedMs - first.startedMs,
        correlationId: first.record.correlationId,
      };
    });
  }
}
