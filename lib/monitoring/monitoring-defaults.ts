import { Duration } from 'aws-cdk-lib';

/**
 * A message still queued after half an hour means the consumer is down or failing: with the default 30 s
 * timeout, a record that keeps failing reaches the DLQ after 5 receives x 3 minutes = 15 minutes.
 */
export function defaultOldestMessageAgeThreshold(): Duration {
  return Duration.minutes(30);
}

/**
 * Signature rejections per alarm period that count as a surge. Requests without the secret path never reach
 * the verifier, so rejections mean the secret is known to someone else, or the configured keys are wrong.
 */
export function defaultSignatureRejectionThreshold(): number {
  return 10;
}

/** The window every count alarm sums over. */
export function defaultAlarmPeriod(): Duration {
  return Duration.minutes(5);
}

/**
 * SQS deletes a dead-lettered message 14 days (the DLQ's retention) after it was first queued: moving it to
 * the DLQ keeps its enqueue time, while the DLQ's age metric counts from the move. Warn 4 days ahead.
 */
export function defaultDeadLetterAgeThreshold(): Duration {
  return Duration.days(10);
}

/** Failed Fluent API calls per alarm period that count as failing; each call has already been retried. */
export function defaultFluentApiFailureThreshold(): number {
  return 1;
}

/** How many periods in a row (of 5 minutes) the Fluent API must fail before the alarm fires. */
export const FLUENT_API_FAILURE_PERIODS = 3;

/** How many sweep periods in a row must find gaps before the "gaps keep appearing" alarm fires. */
export const GAP_ALARM_PERIODS = 3;
