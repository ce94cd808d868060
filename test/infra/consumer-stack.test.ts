import { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FluentWebhookStack } from '../../lib/stack/fluent-webhook-stack';
import { readStackConfig, stackNameFor } from '../../lib/stack/stack-config';
import { tempApp, unacknowledgedNagFindings } from '../support/nag-findings';
import { testKeyPair } from '../support/test-keys';
import type { IConstruct } from 'constructs';

const SECRET = 'operationsSecret_0123456789abcdefghij';
const key = testKeyPair(1024, 'consumer-stack');
const BASE = { publicKeys: key.publicKeyBase64, accountIds: 'ACME', pathSecret: SECRET };

/** The consumer and monitoring settings as cdk.json would hold them, for the production environment. */
const OPERATIONS = {
  ...BASE,
  environments: {
    production: {
      consumerTimeoutSeconds: 60,
      consumerBatchSize: 25,
      consumerMaxBatchingWindowSeconds: 2,
      consumerMaxConcurrency: 8,
      idempotencyTableEncryption: 'customer-managed',
      idempotencyTableRemovalPolicy: 'destroy',
      alarmEmail: 'ops@example.com',
      oldestMessageAgeMinutes: 45,
      signatureRejectionThreshold: 25,
      logRetentionDays: 14,
    },
  },
};

describe('Class: FluentWebhookStack, consumer and monitoring', () => {
  describe('configured from context', () => {
    const app = tempApp({ context: OPERATIONS });
    const stack = new FluentWebhookStack(app, stackNameFor('production'), {
      environmentName: 'production',
      processEnv: {},
    });
    const template = Template.fromStack(stack);
    const logicalId = (construct: IConstruct | undefined) =>
      stack.getLogicalId(construct?.node.defaultChild as CfnElement);

    it('runs the consumer with the configured timeout, and the queue visibility follows at 6x', () => {
      // Assess
      template.hasResourceProperties('AWS::Lambda::Function', {
        Timeout: 60,
        Environment: {
          Variables: Match.objectLike({
            IDEMPOTENCY_TABLE_NAME: Match.anyValue(),
            ENVIRONMENT_NAME: 'production',
            FLUENT_ACCOUNT_IDS: 'ACME',
          }),
        },
      });
      template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 360, RedrivePolicy: Match.anyValue() });
    });

    it("consumes the receiver's queue with the configured batch size, window and concurrency", () => {
      // Assess
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.receiver.queue), 'Arn'] },
        BatchSize: 25,
        MaximumBatchingWindowInSeconds: 2,
        ScalingConfig: { MaximumConcurrency: 8 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });

    it('gives the table its own key and lets it go with the stack when asked to', () => {
      // Assess
      template.hasResource('AWS::DynamoDB::Table', {
        Properties: { SSESpecification: Match.objectLike({ SSEType: 'KMS' }) },
        DeletionPolicy: 'Delete',
      });
    });

    it('keeps every log group as long as the environment says', () => {
      // Assess
      template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    });

    it("alarms with the configured thresholds, on this environment's metrics, to the e-mail address", () => {
      // Assess
      template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Threshold: 2700,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'SignatureRejected',
        Threshold: 25,
        Dimensions: Match.arrayWith([{ Name: 'environment', Value: 'production' }]),
      });
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    });

    it('outputs the table, the dashboard and the alarm topic', () => {
      // Assess
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(outputs.IdempotencyTableName?.Value).toEqual({ Ref: logicalId(stack.consumer.idempotencyTable) });
      expect(outputs.AlarmTopicArn?.Value).toEqual({ Ref: logicalId(stack.monitoring.alarmTopic) });
      expect(outputs.DeadLetterQueueArn?.Value).toEqual({
        'Fn::GetAtt': [logicalId(stack.receiver.deadLetterQueue), 'Arn'],
      });
      const dashboard = logicalId(stack.monitoring.dashboard);
      expect(outputs.DashboardName?.Value).toEqual({ Ref: dashboard });
      expect(JSON.stringify(outputs.DashboardUrl?.Value)).toMatch(
        /^\{"Fn::Join":\["",\["https:\/\/",\{"Ref":"AWS::Region"\},"\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=",\{"Ref":"AWS::Region"\},"#dashboards:name=",\{"Ref":"Monitoring/,
      );
    });
  });

  it('passes cdk-nag AwsSolutions with the consumer, a customer-managed table key and the alarm topic', () => {
    // Prepare
    const app = tempApp({ context: OPERATIONS });
    new FluentWebhookStack(app, stackNameFor('production'), { environmentName: 'production', processEnv: {} });

    // Act & Assess
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });

  it('creates no alarm topic and no table key by default', () => {
    // Act
    const app = tempApp({ context: BASE });
    const template = Template.fromStack(
      new FluentWebhookStack(app, 'Defaults', { environmentName: 'default', processEnv: {} }),
    );

    // Assess
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: { SSESpecification: { SSEEnabled: true } },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180, RedrivePolicy: Match.anyValue() });
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('AlarmTopicArn');
  });

  it('reads -c values, which always arrive as strings', () => {
    // Prepare
    const app = tempApp({
      context: {
        ...BASE,
        consumerTimeoutSeconds: '20',
        consumerBatchSize: '5',
        consumerMaxConcurrency: '3',
        oldestMessageAgeMinutes: '10',
        signatureRejectionThreshold: '4',
      },
    });

    // Act
    const config = readStackConfig(app.node, 'default', {});

    // Assess
    expect(config.receiverProps.consumerTimeout?.toSeconds()).toBe(20);
    expect(config.consumerOptions.sqsEventSourceProps).toEqual({ batchSize: 5, maxConcurrency: 3 });
    expect(config.monitoringOptions.oldestMessageAgeThreshold?.toSeconds()).toBe(600);
    expect(config.monitoringOptions.signatureRejectionThreshold).toBe(4);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a consumer timeout over 15 minutes',
      { consumerTimeoutSeconds: 901 },
      /consumerTimeoutSeconds is 901 s; Lambda allows 1 to 900 s/,
    ],
    ['a fractional batch size', { consumerBatchSize: '2.5' }, /consumerBatchSize must be a whole number, not 2.5/],
    [
      'a batch over 10 without a window',
      { consumerBatchSize: 20 },
      /consumerMaxBatchingWindowSeconds is needed for a batch size of 20/,
    ],
    [
      'a batching window over 5 minutes',
      { consumerMaxBatchingWindowSeconds: 301 },
      /consumerMaxBatchingWindowSeconds is 301 s; Lambda allows up to 300 s/,
    ],
    [
      'a concurrency of 1',
      { consumerMaxConcurrency: 1 },
      /consumerMaxConcurrency is 1; Lambda allows a whole number from 2 to 1000/,
    ],
    [
      'an unknown table encryption',
      { idempotencyTableEncryption: 'none' },
      /idempotencyTableEncryption is "none"; use one of aws-managed, customer-managed/,
    ],
    [
      'an unknown removal policy',
      { idempotencyTableRemovalPolicy: 'snapshot' },
      /idempotencyTableRemovalPolicy is "snapshot"; use one of retain, destroy/,
    ],
    ['a malformed e-mail address', { alarmEmail: 'ops' }, /alarmEmail "ops" is not an e-mail address/],
    [
      'an age threshold of 0 minutes',
      { oldestMessageAgeMinutes: 0 },
      /oldestMessageAgeMinutes is 0 minutes; use at least 1 minute/,
    ],
    [
      'a rejection threshold of 0',
      { signatureRejectionThreshold: 0 },
      /signatureRejectionThreshold is 0; use a whole number of at least 1/,
    ],
  ])('refuses %s', (_case, context, message) => {
    // Act & Assess
    expect(() => readStackConfig(tempApp({ context: { ...BASE, ...context } }).node, 'default', {})).toThrow(message);
  });
});
