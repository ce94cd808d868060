import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FluentWebhookConsumer } from '../consumer/fluent-webhook-consumer';
import { FluentWebhookMonitoring } from '../monitoring/fluent-webhook-monitoring';
import { FluentWebhookReceiver } from '../receiver/fluent-webhook-receiver';
import { FluentWebhookReconciliationSweep } from '../reconciliation/fluent-webhook-reconciliation-sweep';
import { validateFluentWebhooksProps } from './fluent-webhooks-checks';
import type { FluentWebhooksProps } from './fluent-webhooks-props';

/**
 * The whole Fluent webhook pipeline in one construct: the receiver (API, verifying Lambda, queue and dead-letter
 * queue), the consumer on that queue (your handlers, idempotency table) and the monitoring of both (alarms,
 * dashboard, optional alarm topic). This repository's own stack is this construct configured from CDK context.
 */
export class FluentWebhooks extends Construct implements iam.IGrantable {
  /** The internet-facing part: the API, the verifying Lambda (verify-first), the queue and the dead-letter queue. */
  public readonly receiver: FluentWebhookReceiver;
  /** The consumer Lambda that runs your handlers, its event source and its idempotency table. */
  public readonly consumer: FluentWebhookConsumer;
  /** The alarms, the alarm topic and the dashboard. */
  public readonly monitoring: FluentWebhookMonitoring;
  /**
   * The role your handlers run under (the consumer's), so that they can be given access like any grantee:
   * `table.grantReadWriteData(webhooks)`.
   */
  public readonly grantPrincipal: iam.IPrincipal;
  /** Where webhooks land after `maxReceiveCount` failed attempts. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The scheduled reconciliation sweep; undefined without `reconciliationSweep`. */
  public readonly reconciliationSweep?: FluentWebhookReconciliationSweep;

  public constructor(scope: Construct, id: string, props: FluentWebhooksProps) {
    super(scope, id);
    validateFluentWebhooksProps(props);
    // Each part takes its own props from the whole set: their names do not clash (see FluentWebhooksProps).
    this.receiver = new FluentWebhookReceiver(this, 'Receiver', {
      ...props,
      consumerTimeout: props.consumerTimeout ?? props.consumerFunctionProps?.timeout,
    });
    const deadLetterQueue = this.receiver.deadLetterQueue;
    // The checks refuse the props that leave the receiver without one.
    if (deadLetterQueue === undefined) throw new Error('FluentWebhooks: the receiver created no dead-letter queue.');
    this.deadLetterQueue = deadLetterQueue;

    this.consumer = new FluentWebhookConsumer(this, 'Consumer', {
      ...props,
      consumerFunctionProps: { ...props.consumerFunctionProps, timeout: this.receiver.consumerTimeout },
      queue: this.receiver.queue,
      logRetention: this.receiver.logRetention,
      // queue-first: the consumer is the only judge, and drops forgeries.
      ingress: this.receiver.ingress,
    });
    // The queues' policies deny reading to all but their readers: the consumer is the first.
    this.receiver.allowReadingFromQueue(this.consumer.consumerRole.roleArn);
    this.grantPrincipal = this.consumer.grantPrincipal;
    // The consumer's checks refuse a sweep without fluentApi.
    if (props.reconciliationSweep !== undefined && props.fluentApi !== undefined) {
      this.reconciliationSweep = new FluentWebhookReconciliationSweep(this, 'ReconciliationSweep', {
        settings: props.reconciliationSweep,
        consumer: this.consumer,
        fluentApi: props.fluentApi,
        apiStage: this.receiver.api.deploymentStage,
        environmentName: props.environmentName,
        logRetention: this.receiver.logRetention,
      });
    }
    this.monitoring = new FluentWebhookMonitoring(this, 'Monitoring', {
      ...props,
      queue: this.receiver.queue,
      deadLetterQueue,
      receiverFunction: this.receiver.receiverFunction,
      consumerFunction: this.consumer.consumerFunction,
      apiStage: this.receiver.api.deploymentStage,
      gapsAlarmPeriod: this.reconciliationSweep?.every,
      reconciliationSweepFunction: this.reconciliationSweep?.sweepFunction,
    });
  }
}
