import { Aws, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { FluentWebhookReceiver } from '../receiver/fluent-webhook-receiver';
import type { FluentWebhookConsumer } from '../consumer/fluent-webhook-consumer';
import type { FluentWebhookMonitoring } from '../monitoring/fluent-webhook-monitoring';
import { FluentWebhooks } from '../fluent-webhooks/fluent-webhooks';
import { readStackConfig, StackConfig } from './stack-config';
import { Ingress } from '../../lambdas/contract/ingress';
import { StackOutput } from '../../lambdas/contract/stack-outputs';

export interface FluentWebhookStackProps extends StackProps {
  /** The environment (`sandbox`, `production`) whose context settings configure the stack. */
  readonly environmentName: string;
  /**
   * Where WEBHOOK_PATH_SECRET (one secret, or several comma-separated) is read from.
   * @default process.env
   */
  readonly processEnv?: Readonly<Record<string, string | undefined>>;
  /**
   * The context keys given on the command line (`-c key=value`): they win over the environment's block in cdk.json,
   * as CDK users expect. `bin/fluent-webhooks.ts` finds them by comparing the context with cdk.json's.
   * @default - none: all context is treated as cdk.json's
   */
  readonly commandLineKeys?: ReadonlySet<string>;
}

/**
 * One environment of the Fluent webhook receiver, configured from CDK context (`cdk.json` and `-c`): see
 * `readStackConfig` for the keys. Outputs the webhook URL (with a `<secret>` placeholder), the fingerprints of the
 * live path secrets, and the queues.
 */
export class FluentWebhookStack extends Stack {
  public readonly config: StackConfig;
  /** The pipeline; its children are also reachable as {@link receiver}, {@link consumer} and {@link monitoring}. */
  public readonly webhooks: FluentWebhooks;
  public readonly receiver: FluentWebhookReceiver;
  public readonly consumer: FluentWebhookConsumer;
  public readonly monitoring: FluentWebhookMonitoring;

  public constructor(scope: Construct, id: string, props: FluentWebhookStackProps) {
    const { environmentName, processEnv, commandLineKeys, ...stackProps } = props;
    const config = readStackConfig(scope.node, environmentName, processEnv, commandLineKeys);
    super(scope, id, {
      description:
        config.receiverProps.ingress === Ingress.QUEUE_FIRST
          ? `Fluent Commerce webhook receiver (${environmentName}, queue-first): API Gateway straight into SQS, consumer Lambda (verifies), DynamoDB, alarms.`
          : `Fluent Commerce webhook receiver (${environmentName}): API Gateway, verifying Lambda, SQS, consumer Lambda, DynamoDB, alarms.`,
      env:
        config.account === undefined && config.region === undefined
          ? undefined
          : { account: config.account, region: config.region },
      ...stackProps,
    });
    this.config = config;
    // Under the id `Default`, which CDK leaves out of logical ids: the resources keep the ids they had when the
    // stack built the three constructs itself, so no queue or table is replaced.
    this.webhooks = new FluentWebhooks(this, 'Default', {
      ...config.receiverProps,
      ...config.consumerOptions,
      ...config.monitoringOptions,
      environmentName,
    });
    this.receiver = this.webhooks.receiver;
    this.consumer = this.webhooks.consumer;
    this.monitoring = this.webhooks.monitoring;

    new CfnOutput(this, 'WebhookUrl', {
      description:
        'Paste into the url of your Fluent SendWebhook setting, with <secret> replaced by the path secret and <route> by a route of your choice.',
      value: this.receiver.webhookUrlTemplate,
    });
    new CfnOutput(this, 'PathSecretFingerprints', {
      description:
        "Fingerprints of the live path secrets, current first, as the verifying Lambda logs them (pathSecretFingerprint). npx fluent-webhook secret --fingerprint <secret> prints a secret's.",
      value: this.receiver.pathSecretFingerprints.join(','),
    });
    new CfnOutput(this, 'QueueName', {
      description: 'The queue verified webhooks wait in.',
      value: this.receiver.queue.queueName,
    });
    new CfnOutput(this, StackOutput.QUEUE_URL, { value: this.receiver.queue.queueUrl });
    const deadLetterQueue = this.webhooks.deadLetterQueue;
    new CfnOutput(this, 'DeadLetterQueueName', {
      description: 'Where webhooks land after maxReceiveCount failed attempts.',
      value: deadLetterQueue.queueName,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: deadLetterQueue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueArn', {
      description: 'For fluent-webhook redrive --dlq-arn.',
      value: deadLetterQueue.queueArn,
    });

    new CfnOutput(this, 'IdempotencyTableName', {
      description: "The consumer's de-duplication table.",
      value: this.consumer.idempotencyTable.tableName,
    });
    new CfnOutput(this, StackOutput.HISTORY_TABLE_NAME, {
      description: 'Every signed delivery with its outcome and archived copy: fluent-webhook history / replay --stack.',
      value: this.consumer.historyTable.tableName,
    });
    new CfnOutput(this, StackOutput.HISTORY_RETENTION_DAYS, {
      description: 'Days the history keeps a record.',
      value: String(this.consumer.historyRetentionDays),
    });
    if (this.consumer.reconciliation !== undefined) {
      new CfnOutput(this, StackOutput.RECONCILIATION_QUEUE_URL, {
        description: 'Where fluent-webhook reconcile --stack backfills the events Fluent lists but never delivered.',
        value: this.consumer.reconciliation.queue.queueUrl,
      });
    }
    const dashboardName = this.monitoring.dashboard.dashboardName;
    new CfnOutput(this, 'DashboardName', { value: dashboardName });
    new CfnOutput(this, 'DashboardUrl', {
      description: 'The CloudWatch dashboard for the whole flow.',
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${dashboardName}`,
    });
    if (this.monitoring.alarmTopic !== undefined) {
      new CfnOutput(this, 'AlarmTopicArn', {
        description: 'The SNS topic the alarms notify.',
        value: this.monitoring.alarmTopic.topicArn,
      });
    }
  }
}
