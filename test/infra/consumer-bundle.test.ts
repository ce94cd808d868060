import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { parseReceiverSettings, settingsToEnv } from '../../lambdas/core/settings';
import { FluentWebhookConsumer } from '../../lib/consumer/fluent-webhook-consumer';
import { queuedWebhookRecord, signedEventRecord } from '../support/sqs-records';
import { testKeyPair } from '../support/test-keys';

const key = testKeyPair(1024, 'consumer-bundle');
const settings = parseReceiverSettings({ publicKeys: key.publicKeyBase64, accountIds: 'ACME' });

/** What the bundle answers, printed by the child process as its last stderr line. */
const RUN_BUNDLE = `
  const { handler } = require(process.env.BUNDLE);
  const context = { functionName: 'consumer', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:consumer',
    memoryLimitInMB: '512', getRemainingTimeInMillis: () => 30000 };
  handler(JSON.parse(process.env.SQS_EVENT), context).then(
    (result) => process.stderr.write(JSON.stringify(result) + '\\n'),
    (error) => process.stderr.write('THREW ' + error.stack + '\\n'));`;

describe('Synthesis: the consumer bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'consumer-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles with the local esbuild into CommonJS that loads Powertools and answers under plain Node.js', () => {
    // Prepare: a real synth, bundling included.
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'ConsumerBundle');
    const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout: Duration.minutes(3) });
    new FluentWebhookConsumer(stack, 'Consumer', { queue, settings });
    const s3Key = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0]?.Properties.Code
      .S3Key as string;
    const assetDir = join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
    const forged = queuedWebhookRecord(Buffer.from('{"id":"forged","name":"X","accountId":"ACME"}'), {
      messageId: 'forged-1',
      headers: { 'fluent-signature': Buffer.alloc(128, 1).toString('base64') },
    });
    const genuine = signedEventRecord(key.privateKey, { accountId: 'ACME' }, { messageId: 'genuine-1' }).record;

    // Act: the genuine record reaches DynamoDB, which is a closed port on loopback here.
    const run = spawnSync(process.execPath, ['-e', RUN_BUNDLE], {
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: process.env.PATH,
        BUNDLE: join(assetDir, 'index.js'),
        SQS_EVENT: JSON.stringify({ Records: [forged, genuine] }),
        ...settingsToEnv(settings),
        IDEMPOTENCY_TABLE_NAME: 'idempotency',
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
        AWS_MAX_ATTEMPTS: '1',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    // Assess: the bundle and its source map exist, and hold what they should.
    expect(existsSync(join(assetDir, 'index.js'))).toBe(true);
    const sources = (JSON.parse(readFileSync(join(assetDir, 'index.js.map'), 'utf8')) as { sources: string[] }).sources;
    for (const expected of [
      'lambdas/consumer/handler.ts',
      '@aws-lambda-powertools/batch',
      '@aws-lambda-powertools/idempotency',
      '@aws-sdk/client-dynamodb',
    ]) {
      expect(sources.some((source) => source.includes(expected))).toBe(true);
    }
    // Assess: both records fail, each for its own reason; neither crashes the batch.
    const lines = run.stderr.trim().split('\n');
    expect(lines.at(-1)).toBe(
      JSON.stringify({ batchItemFailures: [{ itemIdentifier: 'forged-1' }, { itemIdentifier: 'genuine-1' }] }),
    );
    const jsonLines = `${run.stdout}\n${run.stderr}`
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map(
        (line) => JSON.parse(line) as { messageId?: string; outcome?: string; reason?: string; RecordFailed?: number },
      );
    const decisions = jsonLines
      .filter((line) => line.outcome === 'failed')
      .map(({ messageId, reason }) => [messageId, reason]);
    expect(decisions).toEqual([
      ['forged-1', 'verification-failed'],
      ['genuine-1', 'idempotency-store-failed'],
    ]);
    const failureMetrics = jsonLines.filter((line) => line.RecordFailed !== undefined).map((line) => line.reason);
    expect(failureMetrics).toEqual(['verification-failed', 'idempotency-store-failed']);
  });
});
