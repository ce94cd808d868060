import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { MetricComponent, ReceiverMetrics } from './receiver-metrics';
import {
  ConsumerMetric,
  FLUENT_STATUS_DIMENSION,
  FluentApiMetric,
  ReceiverMetric,
  ReconciliationMetric,
} from '../../lambdas/contract/observability';

export interface DashboardSources {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  /** Undefined for a queue-first door (no verifying Lambda). */
  readonly receiverFunction?: lambda.IFunction;
  readonly consumerFunction: lambda.IFunction;
  readonly apiStage: apigateway.Stage;
  readonly metrics: ReceiverMetrics;
  readonly oldestMessageAgeThreshold: Duration;
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** Set when the reconciliation sweep runs: its gaps get a graph. */
  readonly gapsAlarmPeriod?: Duration;
}

const THIRD = 8;
const HALF = 12;
const FULL = 24;

/**
 * The dashboard, in the order a webhook travels: alarms; API Gateway and the verifier's decisions;
 * the queue and the DLQ; the consumer's outcomes; both Lambdas' health.
 */
export function buildDashboardWidgets(sources: DashboardSources): cloudwatch.IWidget[][] {
  const { metrics, queue, deadLetterQueue: dlq, apiStage, receiverFunction, consumerFunction } = sources;
  const sum = { statistic: cloudwatch.Stats.SUM };
  const max = { statistic: cloudwatch.Stats.MAXIMUM };
  const receiver = (name: string) => metrics.count(MetricComponent.RECEIVER, name);
  const consumer = (name: string) => metrics.count(MetricComponent.CONSUMER, name);
  const reconciler = (name: string) => metrics.count(MetricComponent.RECONCILER, name);

  return [
    [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...sources.alarms], width: FULL, height: 3 })],
    [
      graph('Requests (API Gateway)', [
        apiStage.metricCount({ ...sum, label: 'Requests' }),
        apiStage.metricClientError({ ...sum, label: '4xx' }),
        apiStage.metricServerError({ ...sum, label: '5xx' }),
      ]),
      ...(receiverFunction === undefined
        ? [
            // queue-first: nothing is decided at the door; the consumer drops forgeries.
            graph('Forged messages dropped by the consumer', [
              consumer(ConsumerMetric.FORGED_MESSAGE_DROPPED).with({ label: 'Dropped (signature or account)' }),
            ]),
            graph('Forged messages by reason', [
              metrics.byReason(MetricComponent.CONSUMER, ConsumerMetric.FORGED_MESSAGE_DROPPED),
            ]),
          ]
        : [
            graph('Verifier decisions', [
              receiver(ReceiverMetric.ACCEPTED).with({ label: 'Accepted (queued)' }),
              receiver(ReceiverMetric.REJECTED).with({ label: 'Rejected (4xx)' }),
              receiver(ReceiverMetric.SIGNATURE_REJECTED).with({ label: 'Signature rejected (401)' }),
              receiver(ReceiverMetric.ENQUEUE_FAILED).with({ label: 'Enqueue failed (503)' }),
              receiver(ReceiverMetric.INTERNAL_ERROR).with({ label: 'Receiver error (500)' }),
            ]),
            graph('Rejections by reason', [metrics.byReason(MetricComponent.RECEIVER, ReceiverMetric.REJECTED)]),
          ]),
    ],
    [
      graph('Queue depth', [
        queue.metricApproximateNumberOfMessagesVisible({ ...max, label: 'Waiting' }),
        queue.metricApproximateNumberOfMessagesNotVisible({ ...max, label: 'In flight' }),
      ]),
      new cloudwatch.GraphWidget({
        title: 'Age of oldest message (seconds)',
        width: THIRD,
        left: [
          queue.metricApproximateAgeOfOldestMessage({ ...max, label: 'Queue' }),
          dlq.metricApproximateAgeOfOldestMessage({ ...max, label: 'Dead-letter queue' }),
        ],
        leftAnnotations: [{ value: sources.oldestMessageAgeThreshold.toSeconds(), label: 'Queue alarm threshold' }],
      }),
      graph('Dead-letter queue depth', [
        dlq.metricApproximateNumberOfMessagesVisible({ ...max, label: 'Dead-lettered webhooks' }),
      ]),
    ],
    [
      graph('Consumer outcomes', [
        consumer(ConsumerMetric.EVENT_PROCESSED).with({ label: 'Processed' }),
        consumer(ConsumerMetric.DUPLICATE_EVENT).with({ label: 'Duplicates skipped' }),
        consumer(ConsumerMetric.UNHANDLED_EVENT).with({ label: 'No handler' }),
      ]),
      graph('Consumer failures by reason', [metrics.byReason(MetricComponent.CONSUMER, ConsumerMetric.RECORD_FAILED)]),
      graph('Consumer verification failures by reason', [
        metrics.byReason(MetricComponent.CONSUMER, ConsumerMetric.VERIFICATION_FAILED),
      ]),
    ],
    [
      graph('Fluent API calls (context.fluent)', [
        consumer(FluentApiMetric.CALL).with({ label: 'HTTP attempts' }),
        consumer(FluentApiMetric.RETRY).with({ label: 'Retries' }),
        consumer(FluentApiMetric.CALL_FAILED).with({ label: 'Failed calls' }),
      ]),
      graph('Fluent API failures by status', [
        metrics.byReason(MetricComponent.CONSUMER, FluentApiMetric.CALL_FAILED, FLUENT_STATUS_DIMENSION),
      ]),
      ...(sources.gapsAlarmPeriod === undefined
        ? []
        : [
            graph('Reconciliation sweep: webhooks that never arrived', [
              reconciler(ReconciliationMetric.GAPS_FOUND).with({ label: 'Gaps found' }),
              reconciler(ReconciliationMetric.GAPS_BACKFILLED).with({ label: 'Gaps backfilled' }),
            ]),
          ]),
    ],
    [
      new cloudwatch.GraphWidget({
        title: 'Lambda errors and throttles',
        width: HALF,
        left: [
          ...(receiverFunction === undefined
            ? []
            : [
                receiverFunction.metricErrors({ ...sum, label: 'Verifier errors' }),
                receiverFunction.metricThrottles({ ...sum, label: 'Verifier throttles' }),
              ]),
          consumerFunction.metricErrors({ ...sum, label: 'Consumer errors' }),
          consumerFunction.metricThrottles({ ...sum, label: 'Consumer throttles' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda duration (p99, ms)',
        width: HALF,
        left: [
          ...(receiverFunction === undefined
            ? []
            : [receiverFunction.metricDuration({ statistic: cloudwatch.Stats.p(99), label: 'Verifier' })]),
          consumerFunction.metricDuration({ statistic: cloudwatch.Stats.p(99), label: 'Consumer' }),
        ],
      }),
    ],
  ];
}

function graph(title: string, left: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, width: THIRD, left });
}
