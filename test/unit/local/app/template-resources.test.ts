import { CfnType } from '../../../../tools/local/app/cloud-template';
import { resolveValue } from '../../../../tools/local/app/intrinsics';
import {
  generatedBucketName,
  generatedQueueName,
  generatedTableName,
  legacyGeneratedQueueName,
  TemplateResources,
} from '../../../../tools/local/app/template-resources';

/** S3's rules for a bucket name, as fauxqs's createBucket checks them (3-63 characters, lower case, no edge hyphen). */
const VALID_BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** SQS's rules for a queue name: 1-80 characters, letters, digits, hyphens and underscores, `.fifo` counted. */
const VALID_QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const VALID_FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
/** DynamoDB's rules for a table name: 3-255 characters, letters, digits, underscores, hyphens and dots. */
const VALID_TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const LOGICAL_ID = 'ReceiverQueue7788F9B1';

/** A stack name that makes `<stack>-<logical id>` (plus `suffix`) exactly `length` characters. */
function stackNameFor(length: number, logicalId: string, suffix = ''): string {
  return `FluentWebhooks-${'x'.repeat(length - 'FluentWebhooks-'.length - logicalId.length - 1 - suffix.length)}`;
}

/** The template's queue as `fluent-webhook local --app` names it: the name it creates, its `Ref` and its ARN. */
function queueFor(
  stackName: string,
  logicalId: string,
  properties: Record<string, unknown> = {},
  existingQueues: readonly string[] = [],
) {
  const template = { Resources: { [logicalId]: { Type: CfnType.QUEUE, Properties: properties } } };
  const resources = new TemplateResources(
    template,
    { stackName, region: 'eu-west-1', accountId: '000000000000' },
    (name) => existingQueues.includes(name),
  );
  const context = resources.resolveContextFor('http://127.0.0.1:1');
  return {
    ...resources.queues[0]!,
    legacy: resources.legacyQueues.length > 0,
    ref: resolveValue({ Ref: logicalId }, context),
    nameAttribute: resolveValue({ 'Fn::GetAtt': [logicalId, 'QueueName'] }, context),
  };
}

/** The name `fluent-webhook local --app` gives the template's bucket: its `Ref`, the name it creates the bucket by. */
function bucketNameFor(stackName: string, logicalId: string, properties: Record<string, unknown> = {}): unknown {
  const template = { Resources: { [logicalId]: { Type: CfnType.BUCKET, Properties: properties } } };
  const resources = new TemplateResources(template, { stackName, region: 'eu-west-1', accountId: '000000000000' });
  return resolveValue({ Ref: logicalId }, resources.resolveContextFor('http://127.0.0.1:1'));
}

describe('Class: TemplateResources, a bucket without a BucketName', () => {
  it('is named <stack>-<logical id> in lower case when that is a valid bucket name', () => {
    expect(bucketNameFor('FluentWebhooks-dev', 'HistoryBucket1A2B3C4D')).toBe(
      'fluentwebhooks-dev-historybucket1a2b3c4d',
    );
  });

  it('gets a valid name, a readable prefix and a hash, when <stack>-<logical id> is longer than 63 characters', () => {
    // Prepare: 73 characters in full, as a production stack in a long region names it.
    const stackName = 'FluentWebhooks-production-eu-west-1';
    const logicalId = 'WebhooksConsumerHistoryBucket1A2B3C4D';

    // Act
    const name = String(bucketNameFor(stackName, logicalId));

    // Assess
    expect(name).toMatch(VALID_BUCKET_NAME);
    expect(name).toMatch(/^fluentwebhooks-production-eu-west-1-webhooksconsum-[0-9a-f]{12}$/);
  });

  it('gives the same name at every start and different names to buckets that share the cut prefix', () => {
    const stackName = 'FluentWebhooks-production-eu-west-1-with-a-stack-name-this-long';

    expect(generatedBucketName(stackName, 'HistoryBucketA')).toBe(generatedBucketName(stackName, 'HistoryBucketA'));
    expect(generatedBucketName(stackName, 'HistoryBucketA')).not.toBe(generatedBucketName(stackName, 'HistoryBucketB'));
  });

  it.each([
    ['a 128-character stack name', `S${'x'.repeat(127)}`, 'Bucket'],
    ['a prefix cut right after a hyphen', `${'a'.repeat(49)}-${'b'.repeat(20)}`, 'Bucket'],
    ['a name too short for S3', 'S', ''],
  ])('gives a valid bucket name for %s', (_case, stackName, logicalId) => {
    expect(generatedBucketName(stackName, logicalId)).toMatch(VALID_BUCKET_NAME);
  });

  it('keeps a BucketName the template gives as it is', () => {
    expect(bucketNameFor('FluentWebhooks-dev', 'HistoryBucket', { BucketName: 'my-history' })).toBe('my-history');
  });
});

describe('Class: TemplateResources, a queue without a QueueName', () => {
  it.each([79, 80])('is named <stack>-<logical id> as it is when that is %i characters', (length) => {
    // Prepare
    const stackName = stackNameFor(length, LOGICAL_ID);

    // Act
    const queue = queueFor(stackName, LOGICAL_ID);

    // Assess
    expect(queue.queueName).toBe(`${stackName}-${LOGICAL_ID}`);
    expect(queue.queueName).toHaveLength(length);
    expect(queue.ref).toBe(`http://127.0.0.1:1/000000000000/${queue.queueName}`);
    expect(queue.queueArn).toBe(`arn:aws:sqs:eu-west-1:000000000000:${queue.queueName}`);
  });

  it.each([81, 200])(
    'gets a valid name, a readable prefix and a hash, when <stack>-<logical id> is %i characters',
    (length) => {
      // Prepare
      const stackName = stackNameFor(length, LOGICAL_ID);

      // Act
      const queue = queueFor(stackName, LOGICAL_ID);

      // Assess: the name the queue is created by is the one its Ref, QueueName and ARN give the functions.
      expect(queue.queueName).toMatch(VALID_QUEUE_NAME);
      expect(queue.queueName).toHaveLength(80);
      expect(`${stackName}-${LOGICAL_ID}`.startsWith(queue.queueName.slice(0, -13))).toBe(true);
      expect(queue.queueName).toMatch(/-[0-9a-f]{12}$/);
      expect(queue.nameAttribute).toBe(queue.queueName);
      expect(queue.ref).toBe(`http://127.0.0.1:1/000000000000/${queue.queueName}`);
    },
  );

  it.each([79, 80])('keeps a FIFO queue <stack>-<logical id>.fifo when that is %i characters', (length) => {
    const stackName = stackNameFor(length, LOGICAL_ID, '.fifo');

    const queue = queueFor(stackName, LOGICAL_ID, { FifoQueue: true });

    expect(queue.queueName).toBe(`${stackName}-${LOGICAL_ID}.fifo`);
    expect(queue.queueName).toHaveLength(length);
  });

  it('cuts a FIFO queue name of 81 characters to 80 and keeps .fifo at its end', () => {
    const stackName = stackNameFor(81, LOGICAL_ID, '.fifo');

    const queue = queueFor(stackName, LOGICAL_ID, { FifoQueue: 'true' });

    expect(queue.queueName).toMatch(VALID_FIFO_QUEUE_NAME);
    expect(queue.queueName).toHaveLength(80);
    expect(`${stackName}-${LOGICAL_ID}`.startsWith(queue.queueName.slice(0, -18))).toBe(true);
    expect(queue.queueName).toMatch(/-[0-9a-f]{12}\.fifo$/);
  });

  it('gives the same name at every start and different names to queues that share the cut prefix', () => {
    const stackName = stackNameFor(120, LOGICAL_ID);

    expect(generatedQueueName(stackName, 'QueueA', false)).toBe(generatedQueueName(stackName, 'QueueA', false));
    expect(generatedQueueName(stackName, 'QueueA', false)).not.toBe(generatedQueueName(stackName, 'QueueB', false));
    expect(generatedQueueName(stackName, 'QueueA', true)).not.toBe(
      generatedQueueName(`${stackName}-2`, 'QueueA', true),
    );
  });

  it('replaces characters SQS does not allow, with a hash so that names differing only there stay apart', () => {
    const dotted = generatedQueueName('Stack.one', 'Queue', false);

    expect(dotted).toMatch(VALID_QUEUE_NAME);
    expect(dotted).not.toBe(generatedQueueName('Stack_one', 'Queue', false));
  });

  it('keeps a QueueName the template gives as it is', () => {
    expect(queueFor('FluentWebhooks-dev', LOGICAL_ID, { QueueName: 'my-queue' }).queueName).toBe('my-queue');
  });

  it.each([false, true])(
    'keeps the long name an earlier version gave it while only that queue exists in the data folder (FIFO %s)',
    (fifo) => {
      // Prepare
      const stackName = stackNameFor(120, LOGICAL_ID);
      const legacyName = legacyGeneratedQueueName(stackName, LOGICAL_ID, fifo);

      // Act
      const queue = queueFor(stackName, LOGICAL_ID, { FifoQueue: fifo }, [legacyName]);

      // Assess: created, referred to and granted (ARN) by the name its messages are under.
      expect(legacyName).toBe(`${stackName}-${LOGICAL_ID}${fifo ? '.fifo' : ''}`);
      expect(queue.queueName).toBe(legacyName);
      expect(queue.legacy).toBe(true);
      expect(queue.queueArn).toBe(`arn:aws:sqs:eu-west-1:000000000000:${legacyName}`);
      expect(queue.nameAttribute).toBe(legacyName);
      expect(queue.ref).toBe(`http://127.0.0.1:1/000000000000/${legacyName}`);
    },
  );

  it('takes the cut name when a queue of that name exists too, or no queue of the long name', () => {
    const stackName = stackNameFor(120, LOGICAL_ID);
    const cut = generatedQueueName(stackName, LOGICAL_ID, false);
    const legacyName = legacyGeneratedQueueName(stackName, LOGICAL_ID, false);

    expect(queueFor(stackName, LOGICAL_ID, {}, [legacyName, cut])).toMatchObject({ queueName: cut, legacy: false });
    expect(queueFor(stackName, LOGICAL_ID, {}, [])).toMatchObject({ queueName: cut, legacy: false });
    expect(queueFor(stackName, LOGICAL_ID, { QueueName: 'my-queue' }, [legacyName])).toMatchObject({
      queueName: 'my-queue',
      legacy: false,
    });
  });
});

describe('Class: TemplateResources, a table without a TableName', () => {
  /** The name `fluent-webhook local --app` gives the template's table: its `Ref`, the name it creates it by. */
  function tableNameFor(stackName: string, logicalId: string): unknown {
    const template = { Resources: { [logicalId]: { Type: CfnType.TABLE, Properties: {} } } };
    const resources = new TemplateResources(template, { stackName, region: 'eu-west-1', accountId: '000000000000' });
    return resolveValue({ Ref: logicalId }, resources.resolveContextFor('http://127.0.0.1:1'));
  }
  const logicalId = `ConsumerHistoryTable${'A'.repeat(120)}`;

  it('is named <stack>-<logical id> as it is when that is 255 characters', () => {
    const stackName = stackNameFor(255, logicalId);

    expect(tableNameFor(stackName, logicalId)).toBe(`${stackName}-${logicalId}`);
  });

  it('gets a valid name, a readable prefix and a hash, when <stack>-<logical id> is 256 characters', () => {
    const stackName = stackNameFor(256, logicalId);

    const name = String(tableNameFor(stackName, logicalId));

    expect(name).toMatch(VALID_TABLE_NAME);
    expect(name).toHaveLength(255);
    expect(name).toMatch(/^FluentWebhooks-x+-ConsumerHistoryTableA+-[0-9a-f]{12}$/);
    expect(generatedTableName(stackName, logicalId)).not.toBe(generatedTableName(stackName, `${logicalId}B`));
  });
});
