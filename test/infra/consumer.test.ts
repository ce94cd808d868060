import { CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReceiverSettings } from '../../lambdas/core/settings';
import { FluentWebhookConsumer, FluentWebhookConsumerProps } from '../../lib/consumer/fluent-webhook-consumer';
import { tempApp, unacknowledgedNagFindings } from '../support/nag-findings';
import { useTempDir } from '../support/temp-dir';
import { testKeyPair } from '../support/test-keys';

const settings = parseReceiverSettings({
  publicKeys: testKeyPair(1024, 'consumer-infra').publicKeyBase64,
  accountIds: 'ACME',
  retailerIds: '1,2',
  unhandledEvents: 'fail',
  idempotencyExpirySeconds: 200000,
});

/** 6x the consumer's default 30 s timeout. */
const READY_VISIBILITY = Duration.seconds(180);

/** A stack with a queue ready for the consumer (as the receiver builds it: DLQ, TLS only, visibility 6x 30 s). */
function consumerStack(props: Partial<FluentWebhookConsumerProps> = {}, visibilityTimeout = READY_VISIBILITY) {
  const app = tempApp();
  const stack = new Stack(app, 'ConsumerTest');
  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetterQueue', { enforceSSL: true });
  const queue = new sqs.Queue(stack, 'Queue', {
    enforceSSL: true,
    visibilityTimeout,
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
  });
  const consumer = new FluentWebhookConsumer(stack, 'Consumer', { queue, settings, ...props });
  return { app, stack, queue, consumer };
}

describe('Class: FluentWebhookConsumer', () => {
  const { stack, consumer } = consumerStack({ environmentName: 'production' });
  const template = Template.fromStack(stack);
  const ref = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

  it('builds the consumer Lambda like the verifier: Node.js 24 on arm64, its own log group, source maps on', () => {
    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 30,
      MemorySize: 512,
      LoggingConfig: { LogGroup: { Ref: ref(consumer.consumerLogGroup) } },
      Role: { 'Fn::GetAtt': [ref(consumer.consumerRole), 'Arn'] },
    });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
  });

  it('gives the consumer the settings, the table name and the environment it reads', () => {
    // Assess
    const variables = Object.values(template.findResources('AWS::Lambda::Function'))[0]?.Properties.Environment
      .Variables;
    expect(variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      FLUENT_PUBLIC_KEYS: settings.publicKeys[0]?.spkiBase64,
      SIGNATURE_POLICY: 'prefer-sha512',
      FLUENT_ACCOUNT_IDS: 'ACME',
      FLUENT_RETAILER_IDS: '1,2',
      UNHANDLED_EVENTS: 'fail',
      IDEMPOTENCY_EXPIRY_SECONDS: '200000',
      IDEMPOTENCY_TABLE_NAME: { Ref: ref(consumer.idempotencyTable) },
      HISTORY_TABLE_NAME: { Ref: ref(consumer.historyTable) },
      HISTORY_BUCKET_NAME: { Ref: ref(consumer.historyBucket) },
      HISTORY_RETENTION_DAYS: '31',
      POWERTOOLS_SERVICE_NAME: 'fluent-webhook-receiver',
      POWERTOOLS_METRICS_NAMESPACE: 'FluentWebhookReceiver',
      ENVIRONMENT_NAME: 'production',
    });
  });

  it('consumes the queue with partial batch responses, batches of 10 and at most 5 concurrent consumers', () => {
    // Assess
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Queue'), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: Match.absent(),
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('creates the idempotency table Powertools expects: key id, TTL on expiration, on demand, PITR, encrypted, retained', () => {
    // Assess
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('allows the consumer exactly its log group, its queue, three actions on its table, and BatchWriteItem, PutItem and Query on its history', () => {
    // Assess
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [ref(consumer.consumerLogGroup), 'Arn'] },
          },
          {
            Effect: 'Allow',
            Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
            Resource: [{ 'Fn::GetAtt': [ref(consumer.idempotencyTable), 'Arn'] }],
          },
          {
            Effect: 'Allow',
            Action: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:Query'],
            Resource: { 'Fn::GetAtt': [ref(consumer.historyTable), 'Arn'] },
          },
          {
            Effect: 'Allow',
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ref(consumer.historyBucket), 'Arn'] }, '/bodies/*']] },
          },
          {
            Effect: 'Allow',
            Action: [
              'sqs:ReceiveMessage',
              'sqs:ChangeMessageVisibility',
              'sqs:GetQueueUrl',
              'sqs:DeleteMessage',
              'sqs:GetQueueAttributes',
            ],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Queue'), 'Arn'] },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      },
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('creates the history table: keys and its index as the contract says, TTL, on demand, no PITR, encrypted, retained, TLS only', () => {
    // Assess
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [
          { AttributeName: 'eventId', KeyType: 'HASH' },
          { AttributeName: 'messageId', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
        SSESpecification: { SSEEnabled: true },
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'byDay',
            KeySchema: [
              { AttributeName: 'dayShard', KeyType: 'HASH' },
              { AttributeName: 'entityTime', KeyType: 'RANGE' },
            ],
            Projection: {
              ProjectionType: 'INCLUDE',
              NonKeyAttributes: Match.arrayWith(['name', 'outcome', 'provenance']),
            },
          }),
        ],
        ResourcePolicy: {
          PolicyDocument: {
            Statement: [
              {
                Sid: 'DenyRequestsWithoutTls',
                Effect: 'Deny',
                Principal: { AWS: '*' },
                Action: 'dynamodb:*',
                Resource: '*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          },
        },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  describe('the history bucket (bodies too large for their item)', () => {
    const bucket = () => template.findResources('AWS::S3::Bucket')[ref(consumer.historyBucket)];
    const bucketPolicy = () =>
      Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
        (policy) => policy.Properties.Bucket.Ref === ref(consumer.historyBucket),
      );

    it('is the only bucket, encrypted with S3-managed keys', () => {
      // Assess
      template.resourceCountIs('AWS::S3::Bucket', 1);
      expect(bucket()?.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
    });

    it('blocks all four kinds of public access and enforces object ownership (no ACLs)', () => {
      // Assess
      expect(bucket()?.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket()?.Properties.OwnershipControls).toEqual({
        Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
      });
    });

    it('denies every request not made over TLS', () => {
      // Assess
      expect(bucketPolicy()?.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    });

    it('expires the bodies a day after the history retention (31 days by default)', () => {
      // Assess
      expect(bucket()?.Properties.LifecycleConfiguration).toEqual({
        Rules: [{ Id: 'ExpireWithTheHistory', Prefix: 'bodies/', ExpirationInDays: 32, Status: 'Enabled' }],
      });
      const longer = consumerStack({ historyRetentionDays: 90 });
      Template.fromStack(longer.stack).hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 91 })] },
      });
    });

    it('is retained when the stack is deleted', () => {
      // Assess
      expect(bucket()?.DeletionPolicy).toBe('Retain');
      expect(bucket()?.UpdateReplacePolicy).toBe('Retain');
    });
  });

  it('lets a role granted history read query the table and its indexes, read the large bodies, and nothing else', () => {
    // Prepare
    const built = consumerStack();
    const reader = new iam.Role(built.stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });

    // Act
    built.consumer.grantHistoryRead(reader);

    // Assess
    Template.fromStack(built.stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: built.stack.getLogicalId(reader.node.defaultChild as CfnElement) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:DescribeTable'],
            Resource: [
              { 'Fn::GetAtt': [Match.stringLikeRegexp('HistoryTable'), 'Arn'] },
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('HistoryTable'), 'Arn'] }, '/index/*']] },
            ],
          },
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: {
              'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('HistoryBucket'), 'Arn'] }, '/bodies/*']],
            },
          },
        ],
      },
    });
  });

  it('refuses a history retention shorter than the de-duplication window', () => {
    // Act
    const build = () => consumerStack({ historyRetentionDays: 2 });

    // Assess
    expect(build).toThrow(/historyRetentionDays is 2 days, shorter than the de-duplication window.*at least 3 days/s);
  });

  it('turns point-in-time recovery on for the history table when asked, and only then', () => {
    // Act
    const built = consumerStack({ historyPointInTimeRecovery: true });

    // Assess
    Template.fromStack(built.stack).hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: Match.arrayWith([{ AttributeName: 'messageId', KeyType: 'RANGE' }]),
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('writes the retention it is given as the TTL the consumer uses', () => {
    // Act
    const built = consumerStack({ historyRetentionDays: 90 });

    // Assess
    Template.fromStack(built.stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HISTORY_RETENTION_DAYS: '90' }) },
    });
  });

  it('passes cdk-nag AwsSolutions with nothing to acknowledge', () => {
    // Prepare
    const { app } = consumerStack();

    // Act
    const findings = unacknowledgedNagFindings(app);

    // Assess
    expect(findings).toEqual([]);
  });

  describe('with a customer-managed table key', () => {
    const built = consumerStack({
      idempotencyTableProps: {
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        removalPolicy: RemovalPolicy.DESTROY,
      },
    });
    const cmkTemplate = Template.fromStack(built.stack);

    it('encrypts the table with its own rotating key and lets the consumer use that key only', () => {
      // Assess
      cmkTemplate.hasResource('AWS::DynamoDB::Table', {
        Properties: {
          SSESpecification: {
            SSEEnabled: true,
            SSEType: 'KMS',
            KMSMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
          },
        },
        DeletionPolicy: 'Delete',
      });
      cmkTemplate.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      cmkTemplate.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Action: [
                'kms:Decrypt',
                'kms:Encrypt',
                'kms:GenerateDataKey',
                'kms:GenerateDataKeyWithoutPlaintext',
                'kms:ReEncryptFrom',
                'kms:ReEncryptTo',
              ],
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('IdempotencyTableKey'), 'Arn'] },
            },
          ]),
        },
      });
    });

    it('passes cdk-nag with nothing to acknowledge: no wildcard KMS actions', () => {
      // Act
      const findings = unacknowledgedNagFindings(built.app);

      // Assess
      expect(findings).toEqual([]);
    });
  });

  it('uses a table passed in instead of creating one', () => {
    // Prepare
    const app = tempApp();
    const stack = new Stack(app, 'ExistingTable');
    const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout: Duration.minutes(3) });
    const table = dynamodb.Table.fromTableName(stack, 'Table', 'my-idempotency');

    // Act
    const consumer = new FluentWebhookConsumer(stack, 'Consumer', {
      queue,
      settings,
      existingIdempotencyTableObj: table,
    });

    // Assess
    const existing = Template.fromStack(stack);
    existing.resourceCountIs('AWS::DynamoDB::Table', 1);
    existing.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: Match.absent(),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(consumer.idempotencyTable).toBe(table);
    existing.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ IDEMPOTENCY_TABLE_NAME: 'my-idempotency' }) },
    });
    existing.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
            Resource: [{ 'Fn::Join': ['', Match.arrayWith([':table/my-idempotency'])] }],
          }),
        ]),
      },
    });
  });

  it('takes batch size, batching window, concurrency and a longer timeout from its props', () => {
    // Prepare
    const props: Partial<FluentWebhookConsumerProps> = {
      sqsEventSourceProps: { batchSize: 50, maxBatchingWindow: Duration.seconds(5), maxConcurrency: 20 },
      consumerFunctionProps: {
        timeout: Duration.seconds(60),
        memorySize: 1024,
        environment: { MY_SETTING: 'x', ENVIRONMENT_NAME: 'overridden' },
      },
      environmentName: 'sandbox',
    };

    // Act
    const { stack: tuned } = consumerStack(props, Duration.seconds(360));

    // Assess
    const tunedTemplate = Template.fromStack(tuned);
    tunedTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 20 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    tunedTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 60,
      MemorySize: 1024,
      Environment: { Variables: Match.objectLike({ MY_SETTING: 'x', ENVIRONMENT_NAME: 'sandbox' }) },
    });
  });

  it.each<[string, Partial<FluentWebhookConsumerProps>, RegExp, Duration]>([
    [
      'a queue visibility timeout under 6x the consumer timeout',
      { consumerFunctionProps: { timeout: Duration.seconds(60) } },
      /queue has a visibility timeout \(180 s\) less than 6x the consumer's timeout \(60 s\): set it to at least 360 s/,
      READY_VISIBILITY,
    ],
    [
      'a queue with the default 30 s visibility timeout',
      {},
      /visibility timeout \(30 s\) less than 6x/,
      Duration.seconds(30),
    ],
    [
      'an imported queue whose visibility is stated too short',
      { queueVisibilityTimeout: Duration.seconds(60) },
      /visibility timeout \(60 s\)/,
      READY_VISIBILITY,
    ],
    [
      'both a table and table props',
      { existingIdempotencyTableObj: {} as dynamodb.ITable, idempotencyTableProps: {} },
      /idempotencyTableProps and existingIdempotencyTableObj exclude each other/,
      READY_VISIBILITY,
    ],
    [
      'another partition key',
      { idempotencyTableProps: { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } } },
      /partitionKey must be "id" \(string\)/,
      READY_VISIBILITY,
    ],
    [
      'a sort key',
      { idempotencyTableProps: { sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING } } },
      /sortKey is set, but the idempotency table has no sort key/,
      READY_VISIBILITY,
    ],
    [
      'another TTL attribute',
      { idempotencyTableProps: { timeToLiveAttribute: 'ttl' } },
      /timeToLiveAttribute must be "expiration"/,
      READY_VISIBILITY,
    ],
    [
      'partial batch responses turned off',
      { sqsEventSourceProps: { reportBatchItemFailures: false } },
      /reportBatchItemFailures cannot be turned off/,
      READY_VISIBILITY,
    ],
    [
      'a batch size over 10 without a window',
      { sqsEventSourceProps: { batchSize: 11 } },
      /maxBatchingWindow is needed for a batch size of 11/,
      READY_VISIBILITY,
    ],
    [
      'a batch size of 0',
      { sqsEventSourceProps: { batchSize: 0 } },
      /batchSize is 0; use a whole number from 1 to 10000/,
      READY_VISIBILITY,
    ],
    [
      'a batching window over 5 minutes',
      { sqsEventSourceProps: { maxBatchingWindow: Duration.minutes(6) } },
      /maxBatchingWindow is 360 s; Lambda allows up to 300 s/,
      READY_VISIBILITY,
    ],
    [
      'a concurrency of 1',
      { sqsEventSourceProps: { maxConcurrency: 1 } },
      /maxConcurrency is 1; Lambda allows a whole number from 2 to 1000/,
      READY_VISIBILITY,
    ],
    [
      'a timeout over 15 minutes',
      { consumerFunctionProps: { timeout: Duration.minutes(16) } },
      /timeout is 960 s; Lambda allows 1 to 900 s/,
      READY_VISIBILITY,
    ],
    [
      'a wired function prop',
      { consumerFunctionProps: { entry: 'elsewhere.ts' } },
      /consumerFunctionProps\.entry is set by the construct/,
      READY_VISIBILITY,
    ],
  ])('refuses %s', (_case, props, message, visibilityTimeout) => {
    // Act
    const build = () => consumerStack(props, visibilityTimeout);

    // Assess
    expect(build).toThrow(/^Invalid consumer configuration:\n {2}- /);
    expect(build).toThrow(message);
  });

  it('lists every problem at once', () => {
    // Act
    const build = () =>
      consumerStack({
        sqsEventSourceProps: { batchSize: 0, maxConcurrency: 1 },
        idempotencyTableProps: { timeToLiveAttribute: 'ttl' },
      });

    // Assess
    expect(build).toThrow(/timeToLiveAttribute[^]*batchSize[^]*maxConcurrency/);
  });

  it('uses a customer-managed key given for the table', () => {
    // Prepare
    const app = tempApp();
    const stack = new Stack(app, 'GivenKey');
    const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout: Duration.minutes(3) });
    const key = new kms.Key(stack, 'TableKey', { enableKeyRotation: true });

    // Act
    new FluentWebhookConsumer(stack, 'Consumer', {
      queue,
      settings,
      idempotencyTableProps: { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key },
    });

    // Assess
    const given = Template.fromStack(stack);
    given.resourceCountIs('AWS::KMS::Key', 1);
    given.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        KMSMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      },
    });
  });

  describe('with a handlersEntry', () => {
    const temp = useTempDir('consumer-handlers-entry-');
    /** A project of the user's: a lock file, and a handler module in a folder of its own. */
    const userProject = (name: string, file = 'handlers.ts', withLockFile = true): string => {
      mkdirSync(temp.path(name, 'src'), { recursive: true });
      if (withLockFile) writeFileSync(temp.path(name, 'package-lock.json'), '{"lockfileVersion":3}\n');
      writeFileSync(temp.path(name, 'src', file), 'export const handlers = { events: {} };\n');
      return temp.path(name, 'src', file);
    };

    it("bundles a generated entry in the module's own project that hands the module's handlers to the engine", () => {
      // Prepare
      const handlersEntry = userProject('app');

      // Act
      consumerStack({ handlersEntry });

      // Assess: one generated entry, in the user's project, importing the engine's factory and the user's module.
      const generatedDir = temp.path('app', 'node_modules', '.cache', 'fluent-webhook-receiver');
      const generated = readdirSync(generatedDir);
      expect(generated).toEqual([expect.stringMatching(/^consumer-entry-[0-9a-f]{16}\.mjs$/)]);
      const source = readFileSync(join(generatedDir, generated[0] as string), 'utf8');
      expect(source).toContain(`import { handlers } from ${JSON.stringify(handlersEntry)};`);
      expect(source).toMatch(
        /import \{ createLambdaConsumerHandler \} from ".*lambdas\/consumer\/create-lambda-consumer-handler";/,
      );
      expect(source).toContain('export const handler = createLambdaConsumerHandler(handlers);');
    });

    it.each([
      ['a file that does not exist', () => temp.path('missing.ts'), /handlersEntry .*missing\.ts does not exist/],
      [
        'a file that is not JavaScript or TypeScript',
        () => userProject('json', 'handlers.json'),
        /is not a JavaScript or TypeScript file/,
      ],
      [
        'a module in no project',
        () => userProject('loose', 'handlers.js', false),
        /handlersEntry .*handlers\.js lies in no project with a lock file/,
      ],
    ])('refuses %s', (_case, handlersEntry, message) => {
      // Act
      const build = () => consumerStack({ handlersEntry: handlersEntry() });

      // Assess
      expect(build).toThrow(/^Invalid consumer configuration:\n {2}- /);
      expect(build).toThrow(message);
    });
  });
});
