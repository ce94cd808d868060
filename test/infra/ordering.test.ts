import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { parseReceiverSettings } from '../../lambdas/core/settings';
import { FluentWebhooks } from '../../lib/fluent-webhooks/fluent-webhooks';
import type { FluentWebhooksProps } from '../../lib/fluent-webhooks/fluent-webhooks-props';
import { FluentWebhookReceiver } from '../../lib/receiver/fluent-webhook-receiver';
import { tempApp, unacknowledgedNagFindings } from '../support/nag-findings';
import { testKeyPair } from '../support/test-keys';

const SECRET = 'Ordered-kT_4mWp7sLr2YbN8cHd5FgJ6aZq3';
const settings = parseReceiverSettings({
  publicKeys: testKeyPair(1024, 'ordering-infra').publicKeyBase64,
  accountIds: 'ACME',
});

function pipeline(props: Partial<FluentWebhooksProps> = {}) {
  const app = tempApp();
  const stack = new Stack(app, 'OrderingTest');
  const webhooks = new FluentWebhooks(stack, 'Webhooks', { settings, pathSecret: SECRET, ...props });
  return { app, stack, webhooks, template: Template.fromStack(stack) };
}

describe('Class: FluentWebhooks with ordering per-entity', () => {
  const { app, stack, webhooks, template } = pipeline({ ordering: 'per-entity' });
  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);

  it('makes the queue and the dead-letter queue FIFO, deduplicating on the id the receiver sets, not on content', () => {
    // Assess
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.allResourcesProperties('AWS::SQS::Queue', { FifoQueue: true, ContentBasedDeduplication: false });
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
    expect(webhooks.receiver.queue.fifo).toBe(true);
    expect(webhooks.deadLetterQueue.fifo).toBe(true);
  });

  it('gives the FIFO queues ids of their own, kept when the stack is deleted, so a switch never replaces a queue in place', () => {
    // Assess
    expect(logicalId(webhooks.receiver.queue as sqs.Queue)).toMatch(/FifoQueue/);
    expect(logicalId(webhooks.deadLetterQueue)).toMatch(/FifoDeadLetterQueue/);
    template.allResources('AWS::SQS::Queue', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('tells the verifying Lambda to set the message group and deduplication id (ORDERING=per-entity)', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ORDERING: 'per-entity', QUEUE_URL: Match.anyValue() }) },
    });
    expect(webhooks.receiver.ordering).toBe('per-entity');
  });

  it('consumes the FIFO queue in batches of at most 10 with partial batch responses and no batching window', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumBatchingWindowInSeconds: Match.absent(),
      EventSourceArn: { 'Fn::GetAtt': [logicalId(webhooks.receiver.queue as sqs.Queue), 'Arn'] },
    });
  });

  it('passes cdk-nag with nothing new to acknowledge', () => {
    // Assess
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });
});

describe('Class: FluentWebhooks with the default ordering', () => {
  const { stack, webhooks, template } = pipeline();

  it('keeps standard queues under their old ids, and the verifying Lambda’s environment without ORDERING', () => {
    // Assess
    expect(stack.getLogicalId(webhooks.deadLetterQueue.node.defaultChild as never)).toMatch(
      /^WebhooksReceiverDeadLetterQueue/,
    );
    expect(webhooks.receiver.ordering).toBe('unordered');
    template.allResourcesProperties('AWS::SQS::Queue', { FifoQueue: Match.absent() });
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.not(Match.objectLike({ ORDERING: Match.anyValue() })) },
    });
  });
});

describe('Class: FluentWebhookReceiver ordering checks', () => {
  const build = (props: Partial<ConstructorParameters<typeof FluentWebhookReceiver>[2]>) => () => {
    const stack = new Stack(tempApp(), 'Checks');
    new FluentWebhookReceiver(stack, 'Receiver', { settings, pathSecret: SECRET, ...props });
  };

  it('refuses per-entity with queue-first, saying why and what to use instead', () => {
    // Act / Assess
    expect(build({ ordering: 'per-entity', ingress: 'queue-first' })).toThrow(
      /ordering is per-entity, which queue-first cannot do: .*mapping template.*Use verify-first with per-entity, or queue-first unordered/,
    );
  });

  it('refuses an unknown ordering, naming the two it knows', () => {
    // Act / Assess
    expect(build({ ordering: 'by-order' as never })).toThrow(/ordering is "by-order"; use unordered or per-entity/);
  });

  it('refuses a brought-in queue of the other kind', () => {
    // Prepare
    const standard = (stack: Stack) => sqs.Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:eu-west-1:123456789012:plain');
    const fifo = (stack: Stack) => sqs.Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:eu-west-1:123456789012:x.fifo');
    const withQueue = (make: (stack: Stack) => sqs.IQueue, ordering?: 'per-entity') => () => {
      const stack = new Stack(tempApp(), 'Existing');
      new FluentWebhookReceiver(stack, 'Receiver', {
        settings,
        pathSecret: SECRET,
        existingQueueObj: make(stack),
        ...(ordering === undefined ? {} : { ordering }),
      });
    };

    // Act / Assess
    expect(withQueue(standard, 'per-entity')).toThrow(
      /existingQueueObj is a standard queue, but ordering is per-entity/,
    );
    expect(withQueue(fifo)).toThrow(/existingQueueObj is a FIFO queue, but ordering is unordered/);
    expect(withQueue(fifo, 'per-entity')).not.toThrow();
  });

  it('refuses queue props that would pick the kind of queue or deduplicate on content', () => {
    // Act / Assess
    expect(build({ ordering: 'per-entity', queueProps: { fifo: false } })).toThrow(/queueProps.fifo is false/);
    expect(build({ deadLetterQueueProps: { fifo: true } })).toThrow(/deadLetterQueueProps.fifo is true/);
    expect(build({ ordering: 'per-entity', queueProps: { contentBasedDeduplication: true } })).toThrow(
      /queueProps.contentBasedDeduplication cannot be true/,
    );
  });
});

describe('Class: FluentWebhooks with staleStatusGuard', () => {
  it('gives the consumer the status order as STALE_STATUS_GUARD, and UpdateItem on its idempotency table (the items live there)', () => {
    // Act
    const { template } = pipeline({ staleStatusGuard: { ORDER: ['CREATED', 'BOOKED', 'SHIPPED'] } });

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STALE_STATUS_GUARD: '{"ORDER":["CREATED","BOOKED","SHIPPED"]}',
          IDEMPOTENCY_TABLE_NAME: Match.anyValue(),
        }),
      },
    });
    // The guard remembers a status with a conditional UpdateItem, which the unguarded consumer never makes.
    const updates = (policies: Template) =>
      Object.values(policies.findResources('AWS::IAM::Policy')).filter((policy) =>
        JSON.stringify(policy).includes('dynamodb:UpdateItem'),
      ).length;
    const unguarded = pipeline({}).template;
    expect([updates(template), updates(unguarded)]).toEqual([1, 0]);
    // The guard's items live in the idempotency table: no table beyond the unguarded pipeline's (idempotency, history).
    template.resourceCountIs(
      'AWS::DynamoDB::Table',
      Object.keys(unguarded.findResources('AWS::DynamoDB::Table')).length,
    );
  });

  it('refuses an order with a single status, naming the type', () => {
    // Act / Assess
    expect(() => pipeline({ staleStatusGuard: { ORDER: ['CREATED'] } })).toThrow(
      /staleStatusGuard\.ORDER must list at least two different, non-empty statuses/,
    );
  });
});
