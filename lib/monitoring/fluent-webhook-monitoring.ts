import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { buildDashboardWidgets } from './monitoring-dashboard';
import { MetricComponent, ReceiverMetrics, sumOf } from './receiver-metrics';
import { validateMonitoringProps } from './monitoring-checks';
import type { FluentWebhookMonitoringProps } from './monitoring-props';
import {
  defaultAlarmPeriod,
  defaultDeadLetterAgeThreshold,
  defaultFluentApiFailureThreshold,
  FLUENT_API_FAILURE_PERIODS,
  GAP_ALARM_PERIODS,
  defaultOldestMessageAgeThreshold,
  defaultSignatureRejectionThreshold,
} from './monitoring-defaults';
import {
  ConsumerMetric,
  FluentApiMetric,
  ReceiverMetric,
  ReconciliationMetric,
  RecordFailureReason,
} from '../../lambdas/contract/observability';

export type { FluentWebhookMonitoringOptions, FluentWebhookMonitoringProps } from './monitoring-props';

/** Every alarm the monitoring creates, by what it watches. */
export interface FluentWebhookAlarms {
  /** Messages in the DLQ: events that failed every attempt. */
  readonly deadLetterQueueNotEmpty: cloudwatch.Alarm;
  /** DLQ messages close to their 14-day expiry. */
  readonly deadLetterMessagesExpiring: cloudwatch.Alarm;
  /** The queue's oldest message is older than the threshold. */
  readonly oldestMessageTooOld: cloudwatch.Alarm;
  /** The verifying Lambda crashed, or could not queue (answered 5xx). Undefined for a queue-first door. */
  readonly receiverFailures?: cloudwatch.Alarm;
  /** API Gateway answered 5xx. */
  readonly apiServerErrors: cloudwatch.Alarm;
  /** A surge of signature rejections. Undefined for a queue-first door, where nothing is rejected at the door. */
  readonly signatureRejectionSurge?: cloudwatch.Alarm;
  /** queue-first only: a surge of messages the consumer dropped as forgeries (signature or allow-list). */
  readonly forgedMessageSurge?: cloudwatch.Alarm;
  /** The consumer found a queued message whose signature does not verify. */
  readonly consumerVerificationFailures: cloudwatch.Alarm;
  /** The consumer crashed, or could not use its idempotency table. */
  readonly consumerErrors: cloudwatch.Alarm;
  /** Handlers' calls to the Fluent API kept failing (after retries) for 15 minutes. */
  readonly fluentApiFailures: cloudwatch.Alarm;
  /** A webhook was accepted on flex.signature (MD5) alone; only with `expectSha512Signatures`. */
  readonly md5OnlyAccepted?: cloudwatch.Alarm;
  /** The reconciliation sweep found gaps in 3 sweep periods in a row; only with `gapsAlarmPeriod`. */
  readonly gapsKeepAppearing?: cloudwatch.Alarm;
  /** The sweep Lambda failed in 3 sweep periods in a row; only with `reconciliationSweepFunction`. */
  readonly reconciliationSweepErrors?: cloudwatch.Alarm;
}

/**
 * CloudWatch alarms and a dashboard for the whole flow, with an optional (encrypted) SNS topic that the
 * alarms notify when they fire and when they recover.
 */
export class FluentWebhookMonitoring extends Construct {
  /** Every alarm, by what it watches. */
  public readonly alarms: FluentWebhookAlarms;
  /** The dashboard of both Lambdas, the API and the queues. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** Undefined when no topic was given or asked for. */
  public readonly alarmTopic?: sns.ITopic;

  public constructor(scope: Construct, id: string, props: FluentWebhookMonitoringProps) {
    super(scope, id);
    validateMonitoringProps(props);

    const period = defaultAlarmPeriod();
    const metrics = new ReceiverMetrics(props.environmentName, period);
    const oldestAge = props.oldestMessageAgeThreshold ?? defaultOldestMessageAgeThreshold();
    const receiverFunction = props.receiverFunction;
    const alarm = (alarmId: string, alarmProps: AlarmSpec): cloudwatch.Alarm =>
      new cloudwatch.Alarm(this, alarmId, {
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // Every alarm counts something that happened; no data means nothing happened.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...alarmProps,
      });

    const md5OnlyAccepted =
      props.expectSha512Signatures === true
        ? alarm('Md5OnlyAccepted', {
            metric: metrics.count(MetricComponent.RECEIVER, ReceiverMetric.MD5_ONLY_ACCEPTED),
            threshold: 1,
            alarmDescription:
              'A webhook was accepted on flex.signature (MD5) alone, without fluent-signature, where Fluent sends both: something between Fluent and API Gateway (a proxy that drops dotted or unknown headers) strips a header. Find it before switching to require-sha512, which would refuse these.',
          })
        : undefined;
    const gapsAlarmPeriod = props.gapsAlarmPeriod;
    const gapsKeepAppearing =
      gapsAlarmPeriod === undefined
        ? undefined
        : alarm('ReconciliationGapsKeepAppearing', {
            metric: new ReceiverMetrics(props.environmentName, gapsAlarmPeriod).count(
              MetricComponent.RECONCILER,
              ReconciliationMetric.GAPS_FOUND,
            ),
            threshold: 1,
            // One sweep that finds gaps after an outage is reconciliation working; gaps in every sweep mean
            // webhooks keep getting lost (or backfills keep failing).
            evaluationPeriods: GAP_ALARM_PERIODS,
            datapointsToAlarm: GAP_ALARM_PERIODS,
            alarmDescription: `The reconciliation sweep found events Fluent produced but the receiver never got, in ${GAP_ALARM_PERIODS} sweeps in a row: webhooks keep getting lost on the way (Fluent's SendWebhook settings, the door's 5xx/4xx, a WAF rule) or backfills keep failing. Read the sweep's 'reconciliation sweep' log lines (gapsFound, gapsBackfilled, failedIds) and the door's errors; backfilled events were handled, the cause is still open.`,
          });
    const sweepFunction = props.reconciliationSweepFunction;
    const reconciliationSweepErrors =
      gapsAlarmPeriod === undefined || sweepFunction === undefined
        ? undefined
        : alarm('ReconciliationSweepErrors', {
            metric: sweepFunction.metricErrors({ period: gapsAlarmPeriod, statistic: cloudwatch.Stats.SUM }),
            threshold: 1,
            // A failed sweep is resumed by the next one; failing every time means nothing is reconciled.
            evaluationPeriods: GAP_ALARM_PERIODS,
            datapointsToAlarm: GAP_ALARM_PERIODS,
            alarmDescription: `The reconciliation sweep Lambda failed in ${GAP_ALARM_PERIODS} sweeps in a row, so webhooks Fluent never delivered are not being found. Read its log group: Fluent refusing the credentials or failing after retries (a FluentApiError with its status), the history or checkpoint table unreadable, or a configuration error at cold start. Each sweep resumes from its checkpoint once it runs again.`,
          });
    this.alarms = {
      deadLetterQueueNotEmpty: alarm('DeadLetterQueueNotEmpty', {
        metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        alarmDescription:
          'Webhooks failed every attempt and wait in the dead-letter queue. Read them (README: Operations, reading the DLQ), fix the cause, then run fluent-webhook redrive.',
      }),
      deadLetterMessagesExpiring: alarm('DeadLetterMessagesExpiring', {
        metric: props.deadLetterQueue.metricApproximateAgeOfOldestMessage({
          period,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: defaultDeadLetterAgeThreshold().toSeconds(),
        alarmDescription:
          'A dead-lettered webhook has waited 10 days; SQS deletes it 14 days after it was first queued. Redrive it (after fixing the cause) or save it now.',
      }),
      oldestMessageTooOld: alarm('OldestMessageTooOld', {
        metric: props.queue.metricApproximateAgeOfOldestMessage({ period, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: oldestAge.toSeconds(),
        alarmDescription: `A webhook has waited over ${oldestAge.toHumanString()} in the queue: the consumer is failing, throttled or disabled. Check its logs and errors.`,
      }),
      ...(receiverFunction === undefined
        ? {}
        : {
            receiverFailures: alarm('ReceiverFailures', {
              metric: sumOf('Receiver failures', period, {
                errors: receiverFunction.metricErrors({ period }),
                enqueueFailed: metrics.count(MetricComponent.RECEIVER, ReceiverMetric.ENQUEUE_FAILED),
                internalErrors: metrics.count(MetricComponent.RECEIVER, ReceiverMetric.INTERNAL_ERROR),
              }),
              threshold: 1,
              alarmDescription:
                'The verifying Lambda crashed or could not queue a webhook and answered 5xx; Fluent may retry, but check its logs (outcome "failed") and the queue.',
            }),
          }),
      apiServerErrors: alarm('ApiServerErrors', {
        metric: props.apiStage.metricServerError({ period, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        alarmDescription:
          "API Gateway answered 5xx to Fluent (Lambda failures or throttling). Fluent retries only a few times: check the receiver's logs and concurrency.",
      }),
      ...(receiverFunction === undefined
        ? {
            forgedMessageSurge: alarm('ForgedMessageSurge', {
              metric: metrics.count(MetricComponent.CONSUMER, ConsumerMetric.FORGED_MESSAGE_DROPPED),
              threshold: props.signatureRejectionThreshold ?? defaultSignatureRejectionThreshold(),
              alarmDescription:
                "Queue-first: the consumer dropped many messages as forgeries (signature or account check failed). Either the secret path leaked (rotate it) or the consumer's Fluent keys or account ids are wrong, in which case Fluent's real webhooks are being dropped: check the reasons (ForgedMessageDropped by reason) and the keys now.",
            }),
          }
        : {
            signatureRejectionSurge: alarm('SignatureRejectionSurge', {
              metric: metrics.count(MetricComponent.RECEIVER, ReceiverMetric.SIGNATURE_REJECTED),
              threshold: props.signatureRejectionThreshold ?? defaultSignatureRejectionThreshold(),
              alarmDescription:
                "Many requests with a missing or wrong signature reached the verifier. Either the configured Fluent keys are wrong (Fluent's real webhooks are being refused: check the rejection reasons and the keys) or the secret path leaked (rotate it).",
            }),
          }),
      consumerVerificationFailures: alarm('ConsumerVerificationFailures', {
        metric: metrics.count(
          MetricComponent.CONSUMER,
          ConsumerMetric.RECORD_FAILED,
          RecordFailureReason.VERIFICATION_FAILED,
        ),
        threshold: 1,
        alarmDescription:
          "The consumer found queued messages whose signature does not verify: someone with queue access injected them, or the consumer's keys differ from the receiver's. They go to the DLQ; fix the keys, then redrive.",
      }),
      consumerErrors: alarm('ConsumerErrors', {
        metric: sumOf('Consumer errors', period, {
          errors: props.consumerFunction.metricErrors({ period }),
          storeFailed: metrics.count(
            MetricComponent.CONSUMER,
            ConsumerMetric.RECORD_FAILED,
            RecordFailureReason.IDEMPOTENCY_STORE_FAILED,
          ),
          historyFailed: metrics.count(
            MetricComponent.CONSUMER,
            ConsumerMetric.RECORD_FAILED,
            RecordFailureReason.HISTORY_STORE_FAILED,
          ),
          unexpected: metrics.count(
            MetricComponent.CONSUMER,
            ConsumerMetric.RECORD_FAILED,
            RecordFailureReason.UNEXPECTED_ERROR,
          ),
        }),
        threshold: 1,
        alarmDescription:
          'The consumer failed as a whole (configuration, crash) or could not use its idempotency or history table. Records are retried, then dead-lettered: check its logs.',
      }),
      fluentApiFailures: alarm('FluentApiFailures', {
        metric: metrics.count(MetricComponent.CONSUMER, FluentApiMetric.CALL_FAILED),
        threshold: defaultFluentApiFailureThreshold(),
        // Sustained: every period of the last 15 minutes; a single bad minute is what the retries are for.
        evaluationPeriods: FLUENT_API_FAILURE_PERIODS,
        datapointsToAlarm: FLUENT_API_FAILURE_PERIODS,
        alarmDescription:
          "Handlers' calls to the Fluent API (context.fluent) keep failing after their retries: Fluent is down or throttling, or the credentials were refused. The consumer logs show each call ('fluent api call', with status and correlationId); FluentApiCallFailed by status tells which. Failed events are retried, then dead-lettered: redrive them once Fluent answers.",
      }),
      ...(md5OnlyAccepted === undefined ? {} : { md5OnlyAccepted }),
      ...(gapsKeepAppearing === undefined ? {} : { gapsKeepAppearing }),
      ...(reconciliationSweepErrors === undefined ? {} : { reconciliationSweepErrors }),
    };

    this.alarmTopic = this.createAlarmTopic(props);
    if (this.alarmTopic !== undefined) {
      const action = new cloudwatchActions.SnsAction(this.alarmTopic);
      for (const each of Object.values(this.alarms)) {
        each.addAlarmAction(action);
        each.addOkAction(action);
      }
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(6),
      widgets: buildDashboardWidgets({
        ...props,
        metrics,
        oldestMessageAgeThreshold: oldestAge,
        alarms: Object.values(this.alarms),
      }),
    });
  }

  private createAlarmTopic(props: FluentWebhookMonitoringProps): sns.ITopic | undefined {
    if (props.existingAlarmTopicObj !== undefined) return props.existingAlarmTopicObj;
    if (props.alarmEmail === undefined && props.alarmTopicProps === undefined) return undefined;

    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Fluent webhook receiver alarms',
      ...props.alarmTopicProps,
      masterKey: props.alarmTopicProps?.masterKey ?? this.createTopicKey(),
      enforceSSL: true,
    });
    if (props.alarmEmail !== undefined) topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    return topic;
  }

  /**
   * CloudWatch can publish to an encrypted topic only if the key lets it: the AWS-managed `alias/aws/sns`
   * key cannot, so the topic gets its own key.
   */
  private createTopicKey(): kms.Key {
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the Fluent webhook receiver alarm topic; CloudWatch alarms may use it to publish.',
      enableKeyRotation: true,
      // The key protects notifications in transit through SNS, not stored data.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    return key;
  }
}

type AlarmSpec = Pick<cloudwatch.AlarmProps, 'metric' | 'threshold' | 'alarmDescription'> &
  Partial<Pick<cloudwatch.AlarmProps, 'evaluationPeriods' | 'datapointsToAlarm'>>;
