import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { RecordOutcome } from './record-outcome';
import { ConsumerMetric, REASON_DIMENSION, RecordFailureReason } from '../contract/observability';

/**
 * Counts one batch's outcomes and publishes them once at the end: one EMF line for the plain counts
 * and one per reason, instead of one per record.
 */
export class OutcomeTally {
  private readonly plain = new Map<string, number>();
  private readonly byReason = new Map<string, { metric: string; reason: string; count: number }>();

  public record(outcome: RecordOutcome): void {
    switch (outcome.kind) {
      case 'processed':
        return this.count(ConsumerMetric.EVENT_PROCESSED);
      case 'duplicate':
        return this.count(ConsumerMetric.DUPLICATE_EVENT);
      case 'ignored':
        return this.count(ConsumerMetric.UNHANDLED_EVENT);
      case 'stale':
        return this.count(ConsumerMetric.STALE_EVENT_SKIPPED);
      case 'forged':
        this.count(ConsumerMetric.FORGED_MESSAGE_DROPPED);
        return this.countReason(ConsumerMetric.FORGED_MESSAGE_DROPPED, outcome.reason);
      case 'failed':
        this.countReason(ConsumerMetric.RECORD_FAILED, outcome.reason);
        if (outcome.reason === RecordFailureReason.UNHANDLED_EVENT) this.count(ConsumerMetric.UNHANDLED_EVENT);
        if (outcome.verificationReason !== undefined)
          this.countReason(ConsumerMetric.VERIFICATION_FAILED, outcome.verificationReason);
    }
  }

  /** Adds the counts to `metrics` and flushes them, together with any metrics the handlers added. */
  public publish(metrics: Metrics): void {
    for (const [metric, count] of this.plain) metrics.addMetric(metric, MetricUnit.Count, count);
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    for (const { metric, reason, count } of this.byReason.values()) {
      // A single-metric instance flushes at once with its own dimensions, leaving the shared instance's alone.
      const single = metrics.singleMetric();
      single.addDimension(REASON_DIMENSION, reason);
      single.addMetric(metric, MetricUnit.Count, count);
    }
  }

  private count(metric: string): void {
    this.plain.set(metric, (this.plain.get(metric) ?? 0) + 1);
  }

  private countReason(metric: string, reason: string): void {
    const key = `${metric}/${reason}`;
    const entry = this.byReason.get(key) ?? { metric, reason, count: 0 };
    entry.count += 1;
    this.byReason.set(key, entry);
  }
}
