import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseReceiverSettings } from '../../lambdas/core/settings';
import { FluentWebhooks } from '../../lib/fluent-webhooks/fluent-webhooks';
import type { FluentWebhooksProps } from '../../lib/fluent-webhooks/fluent-webhooks-props';
import { tempApp, unacknowledgedNagFindings } from '../support/nag-findings';
import { testKeyPair } from '../support/test-keys';

const SECRET = 'Reconcile-kT_4mWp7sLr2YbN8cHd5FgJ6aZq3';
const RECONCILER = 'arn:aws:iam::123456789012:role/fluent-reconciler';
const settings = parseReceiverSettings({
  publicKeys: testKeyPair(1024, 'reconcile-infra').publicKeyBase64,
  accountIds: 'ACME',
});

function pipeline(props: Partial<FluentWebhooksProps> = {}) {
  const app = tempApp();
  const stack = new Stack(app, 'ReconcileTest');
  const webhooks = new FluentWebhooks(stack, 'Webhooks', { settings, pathSecret: SECRET, ...props });
  return { app, stack, webhooks, template: Template.fromStack(stack) };
}

describe('Class: FluentWebhookConsumer with reconcilerArns', () => {
  const { app, stack, webhooks, template } = pipeline({ reconcilerArns: [RECONCILER] });
  const reconciliation = webhooks.consumer.reconciliation!;
  const queueId = stack.getLogicalId(reconciliation.queue.node.defaultChild as never);
  const deadLetterId = stack.getLogicalId(reconciliation.deadLetterQueue.node.defaultChild as never);

  it('adds the reconciliation queue and its dead-letter queue, encrypted and TLS only', () => {
    // Assess
    template.resourceCountIs('AWS::SQS::Queue', 4);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] }, maxReceiveCount: 5 },
    });
  });

  it('lets only the reconciler send to it, and nobody to its dead-letter queue', () => {
    // Assess
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'OnlyTheReconcilerSends',
            Effect: 'Deny',
            Action: 'sqs:SendMessage',
            Condition: { ArnNotLike: { 'aws:PrincipalArn': [RECONCILER] } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: deadLetterId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'NobodySendsToTheDeadLetterQueue', Effect: 'Deny', Action: 'sqs:SendMessage' }),
        ]),
      },
    });
  });

  it('has the consumer consume it and accept unsigned events from that queue only (RECONCILIATION_QUEUE_ARN)', () => {
    // Assess
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ RECONCILIATION_QUEUE_ARN: { 'Fn::GetAtt': [queueId, 'Arn'] } }) },
    });
  });

  it('passes cdk-nag with no new finding', () => {
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });
});

describe('Class: FluentWebhookConsumer without reconcilerArns', () => {
  it('adds no reconciliation queue, and the consumer accepts no reconciliation mark', () => {
    // Prepare
    const { webhooks, template } = pipeline();

    // Assess
    expect(webhooks.consumer.reconciliation).toBeUndefined();
    template.resourceCountIs('AWS::SQS::Queue', 2);
    expect(JSON.stringify(template.toJSON())).not.toContain('RECONCILIATION_QUEUE_ARN');
  });
});
