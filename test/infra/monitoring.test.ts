import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  FluentWebhookAlarms,
  FluentWebhookMonitoring,
  FluentWebhookMonitoringProps,
} from '../../lib/monitoring/fluent-webhook-monitoring';
import { createMetrics } from '../../lambdas/shared/observability';
import { tempApp, unacknowledgedNagFindings } from '../support/nag-findings';

const STACK = 'MonitoringTest';

/** Stand-ins for what the receiver and consumer build: the monitoring only reads their names and metrics. */
function monitoredStack(
  options: Partial<FluentWebhookMonitoringProps> | ((stack: Stack) => Partial<FluentWebhookMonitoringProps>) = {},
) {
  const app = tempApp();
  const stack = new Stack(app, STACK);
  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetterQueue', { queueName: 'webhooks-dlq' });
  const queue = new sqs.Queue(stack, 'Queue', {
    queueName: 'webhooks',
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
  });
  const lambdaFunction = (id: string, functionName: string) =>
    new lambda.Function(stack, id, {
      functionName,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
  const receiverFunction = lambdaFunction('Receiver', 'receiver-fn');
  const consumerFunction = lambdaFunction('Consumer', 'consumer-fn');
  const api = new apigateway.RestApi(stack, 'Api', {
    restApiName: 'webhook-api',
    cloudWatchRole: false,
    deployOptions: { stageName: 'webhooks' },
  });
  api.root.addMethod('POST', new apigateway.LambdaIntegration(receiverFunction));
  const monitoring = new FluentWebhookMonitoring(stack, 'Monitoring', {
    queue,
    deadLetterQueue,
    receiverFunction,
    consumerFunction,
    apiStage: api.deploymentStage,
    ...(typeof options === 'function' ? options(stack) : options),
  });
  return { app, stack, monitoring };
}

/** The dimensions of the Lambdas' EMF metrics, as CloudFormation lists them (sorted by name). */
function emfDimensions(component: string, reason?: string) {
  const dimensions = [
    { Name: 'component', Value: component },
    { Name: 'environment', Value: 'production' },
    { Name: 'service', Value: 'fluent-webhook-receiver' },
  ];
  if (reason !== undefined) dimensions.splice(2, 0, { Name: 'reason', Value: reason });
  return dimensions;
}
const RECEIVER_DIMENSIONS = emfDimensions('receiver');
const sortByName = <T extends { Name: string }>(dimensions: readonly T[]) =>
  [...dimensions].sort((a, b) => a.Name.localeCompare(b.Name));
const COUNT_ALARM = {
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  EvaluationPeriods: 1,
  TreatMissingData: 'notBreaching',
};

/** An alarm the mode under test must have (some exist only for one ingress). */
function requiredAlarm(alarms: FluentWebhookAlarms, key: string): cloudwatch.Alarm {
  const alarm = alarms[key as keyof FluentWebhookAlarms];
  if (alarm === undefined) throw new Error(`No ${key} alarm in this mode.`);
  return alarm;
}

describe('Class: FluentWebhookMonitoring', () => {
  const { stack, monitoring } = monitoredStack({ environmentName: 'production', alarmEmail: 'ops@example.com' });
  const template = Template.fromStack(stack);
  const topicRef = { Ref: stack.getLogicalId(monitoring.alarmTopic?.node.defaultChild as sns.CfnTopic) };

  it.each([
    [
      'the DLQ holds messages',
      'deadLetterQueueNotEmpty',
      {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 1,
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetterQueue'), 'QueueName'] } },
        ],
      },
    ],
    [
      'DLQ messages near expiry',
      'deadLetterMessagesExpiring',
      {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 864000,
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetterQueue'), 'QueueName'] } },
        ],
      },
    ],
    [
      'an old message in the queue',
      'oldestMessageTooOld',
      {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 1800,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Queue'), 'QueueName'] } }],
      },
    ],
    [
      'API Gateway 5xx',
      'apiServerErrors',
      {
        Namespace: 'AWS/ApiGateway',
        MetricName: '5XXError',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        Dimensions: [
          { Name: 'ApiName', Value: 'webhook-api' },
          { Name: 'Stage', Value: { Ref: Match.stringLikeRegexp('DeploymentStage') } },
        ],
      },
    ],
    [
      'a surge of signature rejections',
      'signatureRejectionSurge',
      {
        Namespace: 'FluentWebhookReceiver',
        MetricName: 'SignatureRejected',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 10,
        Dimensions: RECEIVER_DIMENSIONS,
      },
    ],
    [
      'forged or mis-keyed messages in the consumer',
      'consumerVerificationFailures',
      {
        Namespace: 'FluentWebhookReceiver',
        MetricName: 'RecordFailed',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        Dimensions: emfDimensions('consumer', 'verification-failed'),
      },
    ],
  ])('alarms on %s', (_case, key, properties) => {
    // Assess
    const alarm = requiredAlarm(monitoring.alarms, key);
    const logicalId = stack.getLogicalId(alarm.node.defaultChild as CfnElement);
    template.templateMatches({
      Resources: {
        [logicalId]: {
          Properties: Match.objectEquals({
            ...COUNT_ALARM,
            ...properties,
            AlarmDescription: Match.anyValue(),
            AlarmActions: [topicRef],
            OKActions: [topicRef],
          }),
        },
      },
    });
  });

  it.each([
    [
      'receiver failures: Lambda errors, enqueue failures and internal errors added up',
      'receiverFailures',
      'FILL(errors, 0) + FILL(enqueueFailed, 0) + FILL(internalErrors, 0)',
      [
        {
          Id: 'errors',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Errors',
              Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^Receiver') } }],
            },
          },
        },
        {
          Id: 'enqueueFailed',
          MetricStat: {
            Metric: {
              Namespace: 'FluentWebhookReceiver',
              MetricName: 'EnqueueFailed',
              Dimensions: RECEIVER_DIMENSIONS,
            },
          },
        },
        {
          Id: 'internalErrors',
          MetricStat: {
            Metric: {
              Namespace: 'FluentWebhookReceiver',
              MetricName: 'ReceiverError',
              Dimensions: RECEIVER_DIMENSIONS,
            },
          },
        },
      ],
    ],
    [
      'consumer errors: Lambda errors, idempotency store, history store and unexpected failures added up',
      'consumerErrors',
      'FILL(errors, 0) + FILL(storeFailed, 0) + FILL(historyFailed, 0) + FILL(unexpected, 0)',
      [
        {
          Id: 'errors',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Errors',
              Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^Consumer') } }],
            },
          },
        },
        {
          Id: 'storeFailed',
          MetricStat: {
            Metric: { MetricName: 'RecordFailed', Dimensions: emfDimensions('consumer', 'idempotency-store-failed') },
          },
        },
        {
          Id: 'historyFailed',
          MetricStat: {
            Metric: { MetricName: 'RecordFailed', Dimensions: emfDimensions('consumer', 'history-store-failed') },
          },
        },
        {
          Id: 'unexpected',
          MetricStat: {
            Metric: { MetricName: 'RecordFailed', Dimensions: emfDimensions('consumer', 'unexpected-error') },
          },
        },
      ],
    ],
  ])('alarms on %s', (_case, key, expression, metrics) => {
    // Assess
    const alarm = requiredAlarm(monitoring.alarms, key);
    const logicalId = stack.getLogicalId(alarm.node.defaultChild as CfnElement);
    template.hasResource('AWS::CloudWatch::Alarm', {
      Properties: {
        ...COUNT_ALARM,
        Threshold: 1,
        AlarmActions: [topicRef],
        OKActions: [topicRef],
        Metrics: [
          { Id: 'expr_1', Expression: expression, ReturnData: true, Label: Match.anyValue() },
          ...metrics.map((metric) => ({
            ...metric,
            ReturnData: false,
            MetricStat: {
              ...metric.MetricStat,
              Period: 300,
              Stat: 'Sum',
              Metric: Match.objectLike(metric.MetricStat.Metric),
            },
          })),
        ],
      },
    });
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toContain(logicalId);
  });

  it.each([
    ['receiver', 'signatureRejectionSurge', 'SignatureRejected', undefined],
    ['consumer', 'consumerVerificationFailures', 'RecordFailed', 'verification-failed'],
    ['consumer', 'fluentApiFailures', 'FluentApiCallFailed', undefined],
  ])('watches the %s metric with exactly the dimensions its EMF line carries', (component, key, metricName, reason) => {
    // Prepare: what the Lambda emits, through the same createMetrics it uses.
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const metrics = createMetrics(component, { ENVIRONMENT_NAME: 'production' });
    const emitter = reason === undefined ? metrics : metrics.singleMetric();
    if (reason !== undefined) emitter.addDimension('reason', reason);
    emitter.addMetric(metricName, MetricUnit.Count, 1);
    if (reason === undefined) metrics.publishStoredMetrics();
    const emf = JSON.parse(String(write.mock.calls[0]?.[0])) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][] }> };
    };
    write.mockRestore();

    // Act
    const alarm = requiredAlarm(monitoring.alarms, key);
    const watched = template.toJSON().Resources[stack.getLogicalId(alarm.node.defaultChild as CfnElement)].Properties
      .Dimensions as Array<{ Name: string; Value: string }>;

    // Assess
    const emitted = (emf._aws.CloudWatchMetrics[0]?.Dimensions[0] ?? []).map((name) => ({
      Name: name,
      Value: emf[name],
    }));
    expect(sortByName(watched)).toEqual(sortByName(emitted));
  });

  it('alarms on Fluent API calls only when they fail in three 5-minute periods in a row', () => {
    // Assess
    const alarm = monitoring.alarms.fluentApiFailures;
    const properties =
      template.toJSON().Resources[stack.getLogicalId(alarm.node.defaultChild as CfnElement)].Properties;
    expect(properties).toMatchObject({
      MetricName: 'FluentApiCallFailed',
      Namespace: 'FluentWebhookReceiver',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
    });
  });

  it('creates exactly these nine alarms, each saying what to do', () => {
    // Assess
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) expect(alarm.Properties.AlarmDescription.length).toBeGreaterThan(60);
  });

  it('alarms on a webhook accepted on flex.signature alone, where Fluent is expected to send fluent-signature', () => {
    // Act
    const ready = monitoredStack({ environmentName: 'production', expectSha512Signatures: true });
    const readyTemplate = Template.fromStack(ready.stack);

    // Assess
    expect(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'WebhookAcceptedOnMd5Only' } }),
    ).toEqual({});
    readyTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'WebhookAcceptedOnMd5Only',
      Namespace: 'FluentWebhookReceiver',
      Statistic: 'Sum',
      Threshold: 1,
      Dimensions: emfDimensions('receiver'),
      AlarmDescription: Match.stringLikeRegexp('require-sha512'),
    });
    expect(ready.monitoring.alarms.md5OnlyAccepted).toBeDefined();
  });

  it('notifies an encrypted, TLS-only topic with the e-mail subscription', () => {
    // Assess
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlarmTopicKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: topicRef,
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('gives the topic a rotating key that CloudWatch alarms may use', () => {
    // Assess
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
        ]),
      },
    });
  });

  it('builds one dashboard for the whole flow', () => {
    // Assess
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody,
    );
    for (const title of [
      'Alarms',
      'Requests (API Gateway)',
      'Verifier decisions',
      'Rejections by reason',
      'Queue depth',
      'Age of oldest message (seconds)',
      'Dead-letter queue depth',
      'Consumer outcomes',
      'Consumer failures by reason',
      'Consumer verification failures by reason',
      'Fluent API calls (context.fluent)',
      'Fluent API failures by status',
      'Lambda errors and throttles',
      'Lambda duration (p99, ms)',
    ]) {
      expect(body).toContain(`\\"title\\":\\"${title}\\"`);
    }
    expect(body).toContain(
      'SEARCH(\'{FluentWebhookReceiver,component,environment,reason,service} MetricName=\\\\\\"WebhookRejected\\\\\\" service=\\\\\\"fluent-webhook-receiver\\\\\\" component=\\\\\\"receiver\\\\\\" environment=\\\\\\"production\\\\\\"\', \'Sum\', 300)',
    );
    expect(body).toContain(
      'SEARCH(\'{FluentWebhookReceiver,component,environment,service,status} MetricName=\\\\\\"FluentApiCallFailed\\\\\\"',
    );
    for (const metric of [
      'WebhookAccepted',
      'EventProcessed',
      'DuplicateEvent',
      'RecordFailed',
      'VerificationFailed',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      expect(body).toContain(metric);
    }
  });

  it('has no cdk-nag findings on its resources', () => {
    // Prepare
    const { app } = monitoredStack({ environmentName: 'production', alarmEmail: 'ops@example.com' });

    // Act
    const findings = unacknowledgedNagFindings(app);

    // Assess
    expect(findings.filter((finding) => finding.includes(`${STACK}/Monitoring/`))).toEqual([]);
  });

  it('creates no topic and no alarm actions when no topic is asked for, and leaves out the environment dimension', () => {
    // Act
    const { stack: quiet } = monitoredStack();

    // Assess
    const quietTemplate = Template.fromStack(quiet);
    quietTemplate.resourceCountIs('AWS::SNS::Topic', 0);
    quietTemplate.resourceCountIs('AWS::KMS::Key', 0);
    quietTemplate.resourceCountIs('AWS::CloudWatch::Alarm', 9);
    quietTemplate.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: Match.absent(),
      OKActions: Match.absent(),
    });
    quietTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SignatureRejected',
      Dimensions: [
        { Name: 'component', Value: 'receiver' },
        { Name: 'service', Value: 'fluent-webhook-receiver' },
      ],
    });
  });

  it('notifies a topic passed in, and takes its thresholds and dashboard name from its props', () => {
    // Act
    const { stack: tunedStack, monitoring: built } = monitoredStack((stack) => ({
      existingAlarmTopicObj: sns.Topic.fromTopicArn(stack, 'Pager', 'arn:aws:sns:eu-west-1:123456789012:pager'),
      oldestMessageAgeThreshold: Duration.minutes(5),
      signatureRejectionThreshold: 3,
      dashboardName: 'fluent-webhooks-sandbox',
    }));

    // Assess
    const tuned = Template.fromStack(tunedStack);
    tuned.resourceCountIs('AWS::SNS::Topic', 0);
    tuned.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:pager'],
    });
    tuned.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 300,
    });
    tuned.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'SignatureRejected', Threshold: 3 });
    tuned.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'fluent-webhooks-sandbox' });
    expect(built.alarmTopic?.topicArn).toBe('arn:aws:sns:eu-west-1:123456789012:pager');
  });

  it.each<[string, Partial<FluentWebhookMonitoringProps>, RegExp]>([
    [
      'a malformed e-mail address',
      { alarmEmail: 'ops at example.com' },
      /alarmEmail "ops at example\.com" is not an e-mail address/,
    ],
    [
      'two e-mail addresses',
      { alarmEmail: 'a@example.com,b@example.com' },
      /is not an e-mail address; give one address/,
    ],
    [
      'an age threshold under a minute',
      { oldestMessageAgeThreshold: Duration.seconds(30) },
      /oldestMessageAgeThreshold is 30 seconds; use at least 1 minute/,
    ],
    [
      'an age threshold beyond retention',
      { oldestMessageAgeThreshold: Duration.days(14) },
      /less than the queue's 14-day retention/,
    ],
    [
      'a rejection threshold of 0',
      { signatureRejectionThreshold: 0 },
      /signatureRejectionThreshold is 0; use a whole number of at least 1/,
    ],
    ['a fractional rejection threshold', { signatureRejectionThreshold: 2.5 }, /signatureRejectionThreshold is 2\.5/],
    [
      'an environment name with quotes',
      { environmentName: 'prod"' },
      /environmentName "prod"" must be 1 to 64 letters, digits, - or _/,
    ],
    [
      'a dashboard name with spaces',
      { dashboardName: 'my dashboard' },
      /dashboardName "my dashboard" must be 1 to 255/,
    ],
    [
      'a topic and topic props',
      { existingAlarmTopicObj: {} as sns.ITopic, alarmTopicProps: {} },
      /alarmTopicProps and existingAlarmTopicObj exclude each other/,
    ],
    [
      'a topic and an e-mail address',
      { existingAlarmTopicObj: {} as sns.ITopic, alarmEmail: 'ops@example.com' },
      /with existingAlarmTopicObj, subscribe the address to your topic instead/,
    ],
  ])('refuses %s', (_case, props, message) => {
    // Act
    const build = () => monitoredStack(props);

    // Assess
    expect(build).toThrow(/^Invalid monitoring configuration:\n {2}- /);
    expect(build).toThrow(message);
  });
});
