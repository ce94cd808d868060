import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { parseReceiverSettings } from '../../lambdas/core/settings';
import { WebhooksStack } from '../../docs/snippets/cdk-app/webhooks-stack';
import { FluentWebhooks } from '../../lib/fluent-webhooks/fluent-webhooks';
import type { FluentWebhooksProps } from '../../lib/fluent-webhooks/fluent-webhooks-props';
import { tempApp, unacknowledgedNagFindings } from '../support/nag-findings';
import { useTempDir } from '../support/temp-dir';
import { testKeyPair } from '../support/test-keys';

const settings = parseReceiverSettings({
  publicKeys: testKeyPair(1024, 'fluent-webhooks').publicKeyBase64,
  accountIds: 'ACME',
});
const SECRET = 'pipelineSecret_0123456789abcdefghijk';

/** A user's stack that adds the whole pipeline in one line. */
function pipelineStack(props: Partial<FluentWebhooksProps> = {}) {
  const app = tempApp();
  const stack = new Stack(app, 'UserStack');
  const webhooks = new FluentWebhooks(stack, 'Webhooks', { settings, pathSecret: SECRET, ...props });
  const ref = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  return { app, stack, webhooks, ref, template: Template.fromStack(stack) };
}

describe('Class: FluentWebhooks', () => {
  const { app, webhooks, ref, template } = pipelineStack({ environmentName: 'sandbox', alarmEmail: 'ops@example.com' });

  it('builds the receiver, the consumer and the monitoring, and shows each as a child', () => {
    // Assess
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(webhooks.deadLetterQueue).toBe(webhooks.receiver.deadLetterQueue);
    expect(webhooks.node.children.map((child) => child.node.id)).toEqual(['Receiver', 'Consumer', 'Monitoring']);
  });

  it("consumes the receiver's queue with the receiver's settings and environment name", () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [ref(webhooks.receiver.queue as sqs.Queue), 'Arn'] },
      FunctionName: { Ref: ref(webhooks.consumer.consumerFunction) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [ref(webhooks.consumer.consumerRole), 'Arn'] },
      Environment: {
        Variables: Match.objectLike({
          FLUENT_PUBLIC_KEYS: settings.publicKeys[0]?.spkiBase64,
          ENVIRONMENT_NAME: 'sandbox',
          IDEMPOTENCY_TABLE_NAME: { Ref: ref(webhooks.consumer.idempotencyTable) },
        }),
      },
    });
  });

  it.each(['verify-first', 'queue-first'] as const)(
    'lets only the consumer read both queues (%s): every other principal is denied',
    (ingress) => {
      // Act
      const built = pipelineStack({ ingress });

      // Assess: one policy per queue, each denying the read actions to all but the consumer's role.
      const policies = Object.values(built.template.findResources('AWS::SQS::QueuePolicy'));
      expect(policies.map((policy) => policy.Properties.Queues)).toEqual([
        [{ Ref: built.ref(built.webhooks.deadLetterQueue) }],
        [{ Ref: built.ref(built.webhooks.receiver.queue as sqs.Queue) }],
      ]);
      for (const policy of policies) {
        expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({
            Sid: 'OnlyTheConsumerReads',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'],
            Condition: {
              ArnNotLike: {
                'aws:PrincipalArn': [{ 'Fn::GetAtt': [built.ref(built.webhooks.consumer.consumerRole), 'Arn'] }],
              },
            },
          }),
        );
      }
    },
  );

  it('alarms on the dead-letter queue and notifies the alarm topic', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ref(webhooks.deadLetterQueue), 'QueueName'] } }],
      AlarmActions: [{ Ref: ref(webhooks.monitoring.alarmTopic as IConstruct) }],
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it("passes cdk-nag AwsSolutions with only the receiver's own acknowledgements", () => {
    // Assess
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });

  it('gives the consumer the timeout the queue visibility was derived from', () => {
    // Act
    const { template: longer } = pipelineStack({ consumerTimeout: Duration.seconds(60) });

    // Assess
    longer.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 360, RedrivePolicy: Match.anyValue() });
    longer.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 60,
      Environment: { Variables: Match.objectLike({ IDEMPOTENCY_TABLE_NAME: Match.anyValue() }) },
    });
  });

  it('takes the consumer timeout from consumerFunctionProps too, as FluentWebhookConsumer does', () => {
    // Act
    const { template: longer } = pipelineStack({ consumerFunctionProps: { timeout: Duration.seconds(45) } });

    // Assess
    longer.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 270, RedrivePolicy: Match.anyValue() });
  });

  describe('as a grantee (the stack in docs/snippets/cdk-app)', () => {
    const keys = testKeyPair(1024, 'grantee');
    const environment = { FLUENT_PUBLIC_KEYS: keys.publicKeyBase64, FLUENT_ACCOUNT_IDS: 'ACME' };

    it("gives the consumer's role, and only it, the table's actions on table.grantReadWriteData(webhooks)", () => {
      // Prepare
      Object.assign(process.env, environment, { WEBHOOK_PATH_SECRET: SECRET });

      // Act
      let stack: WebhooksStack;
      try {
        stack = new WebhooksStack(tempApp(), 'Granted');
      } finally {
        for (const name of [...Object.keys(environment), 'WEBHOOK_PATH_SECRET']) delete process.env[name];
      }
      const granted = Template.fromStack(stack);
      const tableRef = stack.getLogicalId(stack.returns.node.defaultChild as CfnElement);
      const roleRef = stack.getLogicalId(stack.webhooks.consumer.consumerRole.node.defaultChild as CfnElement);

      // Assess
      expect(stack.webhooks.grantPrincipal).toBe(stack.webhooks.consumer.consumerRole);
      expect(stack.webhooks.consumer.grantPrincipal).toBe(stack.webhooks.consumer.consumerRole);
      const policies = granted.findResources('AWS::IAM::Policy', {
        Properties: {
          Roles: [{ Ref: roleRef }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Action: Match.arrayWith(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']),
                Resource: { 'Fn::GetAtt': [tableRef, 'Arn'] },
              }),
            ]),
          },
        },
      });
      expect(Object.keys(policies)).toHaveLength(1);
      const others = Object.values(granted.findResources('AWS::IAM::Policy')).filter(
        (policy) => JSON.stringify(policy).includes(`"${tableRef}"`) && !JSON.stringify(policy).includes(roleRef),
      );
      expect(others).toEqual([]);
    });
  });

  describe('with a handlersEntry', () => {
    const temp = useTempDir('fluent-webhooks-handlers-');

    it("hands the module to the consumer, which bundles it from the module's project", () => {
      // Prepare
      mkdirSync(temp.path('app'));
      writeFileSync(temp.path('app', 'package-lock.json'), '{}\n');
      writeFileSync(temp.path('app', 'handlers.js'), 'exports.handlers = {};\n');

      // Act
      pipelineStack({ handlersEntry: temp.path('app', 'handlers.js') });

      // Assess
      expect(readdirSync(temp.path('app', 'node_modules', '.cache', 'fluent-webhook-receiver'))).toHaveLength(1);
    });
  });

  it.each([
    [
      'a queue of your own',
      { existingQueueObj: {} as sqs.IQueue },
      /existingQueueObj is not taken: FluentWebhooks creates its queue/,
    ],
    ['no dead-letter queue', { deployDeadLetterQueue: false }, /deployDeadLetterQueue cannot be false/],
    [
      'two consumer timeouts',
      { consumerTimeout: Duration.seconds(60), consumerFunctionProps: { timeout: Duration.seconds(60) } },
      /consumerFunctionProps\.timeout and consumerTimeout both set the consumer timeout/,
    ],
  ])('refuses %s before building anything', (_case, props, message) => {
    // Act
    const build = () => pipelineStack(props);

    // Assess
    expect(build).toThrow(/^Invalid FluentWebhooks configuration:\n {2}- /);
    expect(build).toThrow(message);
  });
});
