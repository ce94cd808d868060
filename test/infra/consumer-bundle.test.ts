import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { SQSRecord } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseReceiverSettings, settingsToEnv } from '../../lambdas/core/settings';
import { signFluentPayload } from '../../lambdas/core';
import { RuntimeEnv } from '../../lambdas/contract/environment';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import { S3HistoryBodies } from '../../lambdas/history/s3-history-bodies';
import { FluentWebhookConsumer, FluentWebhookConsumerProps } from '../../lib/consumer/fluent-webhook-consumer';
import { emulatorClientConfig, emulatorS3ClientConfig } from '../../tools/local/local-aws-config';
import { largeEventBody } from '../support/archived-entries';
import { startEmulators } from '../support/emulators';
import { queuedWebhookRecord, signedEventRecord } from '../support/sqs-records';
import { testKeyPair } from '../support/test-keys';

const ROOT = join(__dirname, '..', '..');
const key = testKeyPair(1024, 'consumer-bundle');
const settings = parseReceiverSettings({ publicKeys: key.publicKeyBase64, accountIds: 'ACME' });

/** What the bundle answers, printed by the child process as its last stderr line. */
const RUN_BUNDLE = `
  const { handler } = require(process.env.BUNDLE);
  const context = { functionName: 'consumer', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:consumer',
    memoryLimitInMB: '512', getRemainingTimeInMillis: () => 30000 };
  handler(JSON.parse(require('node:fs').readFileSync(0, 'utf8')), context).then(
    (result) => process.stderr.write(JSON.stringify(result) + '\\n'),
    (error) => process.stderr.write('THREW ' + error.stack + '\\n'));`;

/** Synthesizes one consumer, bundling included, into `outdir`; returns the folder of its bundle. */
function bundleConsumer(outdir: string, props: Partial<FluentWebhookConsumerProps> = {}): string {
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'ConsumerBundle');
  const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout: Duration.minutes(3) });
  new FluentWebhookConsumer(stack, 'Consumer', { queue, settings, ...props });
  const s3Key = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0]?.Properties.Code
    .S3Key as string;
  return join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
}

/** The sources a bundle's source map lists (index.js, or a file bundled next to it). */
function bundledSources(assetDir: string, file = 'index.js'): string[] {
  return (JSON.parse(readFileSync(join(assetDir, `${file}.map`), 'utf8')) as { sources: string[] }).sources;
}

/** The S3 client's own file in the consumer's asset, loaded with import() for a large body only. */
const LAZY_S3_CLIENT = 'lazy-s3-client.js';
/** A string of @aws-sdk/client-s3's code (its service name): absent from index.js, present in its own file. */
const S3_CLIENT_CODE = 'AmazonS3';

/** Where the bundle finds DynamoDB by default: a closed port on loopback. */
const CLOSED_DYNAMODB = { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1', IDEMPOTENCY_TABLE_NAME: 'idempotency' };

/** A forged and a genuine record: the genuine one reaches DynamoDB. */
function forgedAndGenuine(): SQSRecord[] {
  const forged = queuedWebhookRecord(Buffer.from('{"id":"forged","name":"X","accountId":"ACME"}'), {
    messageId: 'forged-1',
    headers: { 'fluent-signature': Buffer.alloc(128, 1).toString('base64') },
  });
  const genuine = signedEventRecord(key.privateKey, { accountId: 'ACME' }, { messageId: 'genuine-1' }).record;
  return [forged, genuine];
}

/**
 * Runs the bundle on `records` under plain Node.js, with the function's settings and `env` (the tables and where
 * DynamoDB and S3 answer). Returns the batch response and the failure decisions the bundle logged.
 */
function runBundle(
  assetDir: string,
  records: SQSRecord[] = forgedAndGenuine(),
  env: Record<string, string> = CLOSED_DYNAMODB,
) {
  const run = spawnSync(process.execPath, ['-e', RUN_BUNDLE], {
    // On stdin: a large body's event is more than an environment variable may hold.
    input: JSON.stringify({ Records: records }),
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: process.env.PATH,
      BUNDLE: join(assetDir, 'index.js'),
      ...settingsToEnv(settings),
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_MAX_ATTEMPTS: '1',
      NODE_OPTIONS: '--enable-source-maps',
      ...env,
    },
  });
  const jsonLines = `${run.stdout}\n${run.stderr}`
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map(
      (line) => JSON.parse(line) as { messageId?: string; outcome?: string; reason?: string; RecordFailed?: number },
    );
  return {
    response: run.stderr.trim().split('\n').at(-1),
    outcomes: jsonLines
      .filter((line) => line.outcome !== undefined)
      .map(({ messageId, outcome }) => [messageId, outcome]),
    decisions: jsonLines
      .filter((line) => line.outcome === 'failed')
      .map(({ messageId, reason }) => [messageId, reason]),
    failureMetrics: jsonLines.filter((line) => line.RecordFailed !== undefined).map((line) => line.reason),
  };
}

const BOTH_FAILED = JSON.stringify({
  batchItemFailures: [{ itemIdentifier: 'forged-1' }, { itemIdentifier: 'genuine-1' }],
});

describe('Synthesis: the consumer bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'consumer-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  let defaultAsset: string | undefined;
  /** The asset of a consumer with the default props, synthesized once for the tests that read it. */
  const defaultAssetDir = (): string => (defaultAsset ??= bundleConsumer(join(outdir, 'default')));

  it('bundles with the local esbuild into CommonJS that loads Powertools and answers under plain Node.js', () => {
    // Act: a real synth, bundling included, then the bundle on two records.
    const assetDir = defaultAssetDir();
    const run = runBundle(assetDir);

    // Assess: the bundle and its source map exist, and hold what they should.
    expect(existsSync(join(assetDir, 'index.js'))).toBe(true);
    const sources = bundledSources(assetDir);
    for (const expected of [
      'lambdas/consumer/handler.ts',
      'handlers/index.ts',
      '@aws-lambda-powertools/batch',
      '@aws-lambda-powertools/idempotency',
      '@aws-sdk/client-dynamodb',
    ]) {
      expect(sources.some((source) => source.includes(expected))).toBe(true);
    }
    // Assess: both records fail, each for its own reason; neither crashes the batch.
    expect(run.response).toBe(BOTH_FAILED);
    expect(run.decisions).toEqual([
      ['forged-1', 'verification-failed'],
      ['genuine-1', 'idempotency-store-failed'],
    ]);
    expect(run.failureMetrics).toEqual(['verification-failed', 'idempotency-store-failed']);
  });

  it("bundles a handlersEntry from the user's own project, TypeScript importing JavaScript, instead of handlers/", () => {
    // Prepare: a project of the user's outside this repository, with a lock file and two modules of its own.
    const project = join(outdir, 'user-app');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{"name":"user-app","private":true}\n');
    writeFileSync(join(project, 'package-lock.json'), '{"lockfileVersion":3}\n');
    // NodejsFunction runs the project's own esbuild (`npx --no-install esbuild` there): installed, as in a CDK app.
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(
      join(ROOT, 'node_modules', 'esbuild', 'bin', 'esbuild'),
      join(project, 'node_modules', '.bin', 'esbuild'),
    );
    writeFileSync(
      join(project, 'src', 'greeting.js'),
      "exports.greeting = (name) => 'user-app-handler-marker ' + name;\n",
    );
    writeFileSync(
      join(project, 'src', 'my-handlers.ts'),
      [
        "import { greeting } from './greeting.js';",
        'export const handlers = {',
        '  default: async (event: { name: string }) => { console.log(greeting(event.name)); },',
        '};',
        '',
      ].join('\n'),
    );

    // Act
    const assetDir = bundleConsumer(join(outdir, 'custom'), { handlersEntry: join(project, 'src', 'my-handlers.ts') });
    const run = runBundle(assetDir);

    // Assess: the user's modules are in the bundle, this repository's handlers are not, and the engine is.
    const sources = bundledSources(assetDir);
    const userSources = sources.filter((source) => source.includes('user-app/'));
    expect(userSources).toHaveLength(3);
    expect(userSources).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /user-app\/node_modules\/\.cache\/fluent-webhook-receiver\/consumer-entry-[0-9a-f]{16}\.mjs$/,
        ),
        expect.stringMatching(/user-app\/src\/greeting\.js$/),
        expect.stringMatching(/user-app\/src\/my-handlers\.ts$/),
      ]),
    );
    expect(sources.some((source) => source.endsWith('handlers/index.ts'))).toBe(false);
    expect(sources.some((source) => source.endsWith('lambdas/consumer/create-lambda-consumer-handler.ts'))).toBe(true);
    expect(readFileSync(join(assetDir, 'index.js'), 'utf8')).toContain('user-app-handler-marker');
    // Assess: the S3 client is bundled next to index.js from the package's module, not into it.
    expect(readFileSync(join(assetDir, 'index.js'), 'utf8')).not.toContain(S3_CLIENT_CODE);
    expect(readFileSync(join(assetDir, LAZY_S3_CLIENT), 'utf8')).toContain(S3_CLIENT_CODE);
    // Assess: it starts and answers like the default bundle.
    expect(run.response).toBe(BOTH_FAILED);
    expect(run.decisions).toEqual([
      ['forged-1', 'verification-failed'],
      ['genuine-1', 'idempotency-store-failed'],
    ]);
  });

  it('keeps the S3 client out of index.js, in a file of its own next to it that loads on its own', () => {
    // Act
    const assetDir = defaultAssetDir();
    const loaded = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        'console.log(Object.keys(await import(process.argv[1])).sort().join())',
        join(assetDir, LAZY_S3_CLIENT),
      ],
      { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH } },
    );

    // Assess: index.js imports the file as written, and neither it nor its source map holds client-s3.
    const main = readFileSync(join(assetDir, 'index.js'), 'utf8');
    expect(main).toContain(`import("./${LAZY_S3_CLIENT}")`);
    expect(main).not.toContain(S3_CLIENT_CODE);
    expect(bundledSources(assetDir).filter((source) => source.includes('@aws-sdk/client-s3'))).toEqual([]);
    // Assess: the file holds the installed (locked) client-s3, has a source map, and exports what the store uses.
    expect(readFileSync(join(assetDir, LAZY_S3_CLIENT), 'utf8')).toContain(S3_CLIENT_CODE);
    const lazySources = bundledSources(assetDir, LAZY_S3_CLIENT);
    expect(lazySources.some((source) => source.endsWith('lambdas/history/lazy-s3-client.ts'))).toBe(true);
    expect(lazySources.some((source) => source.includes('node_modules/@aws-sdk/client-s3/'))).toBe(true);
    expect(loaded.stdout.trim().split(',')).toEqual(
      expect.arrayContaining(['GetObjectCommand', 'PutObjectCommand', 'S3Client']),
    );
  });

  describe('on the emulators (dynalite, and fauxqs for S3)', () => {
    const HISTORY_TABLE = 'history';
    const BUCKET = 'history-bodies';
    let emulators: Awaited<ReturnType<typeof startEmulators>>;
    beforeAll(async () => {
      emulators = await startEmulators({
        idempotencyTables: ['idempotency'],
        historyTables: [HISTORY_TABLE],
        buckets: [BUCKET],
      });
    });
    afterAll(async () => emulators?.close());

    it('puts a large body in the history bucket through the S3 client it loads from its own file', async () => {
      // Prepare: a signed event too large for its history item.
      const rawBody = largeEventBody('large-event-1');
      const record = queuedWebhookRecord(rawBody, {
        messageId: 'large-1',
        headers: signFluentPayload(rawBody, key.privateKey),
      });

      // Act: the synthesized bundle, as Lambda runs it, on that record.
      const run = runBundle(defaultAssetDir(), [record], {
        [RuntimeEnv.IDEMPOTENCY_TABLE_NAME]: 'idempotency',
        [RuntimeEnv.HISTORY_TABLE_NAME]: HISTORY_TABLE,
        [RuntimeEnv.HISTORY_BUCKET_NAME]: BUCKET,
        AWS_REGION: emulators.region,
        AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamoDbEndpoint,
        AWS_ENDPOINT_URL_S3: emulators.sqsEndpoint,
      });

      // Assess: processed, and its history record gives back the exact bytes, which only the bucket can hold.
      expect(run.response).toBe(JSON.stringify({ batchItemFailures: [] }));
      expect(run.outcomes).toEqual([['large-1', 'processed']]);
      const client = new DynamoDBClient(emulatorClientConfig(emulators.dynamoDbEndpoint, emulators.region));
      const bodies = new S3HistoryBodies({
        clientConfig: emulatorS3ClientConfig(emulators.sqsEndpoint, emulators.region),
      });
      try {
        const store = new DynamoDbHistoryStore({ client, tableName: HISTORY_TABLE, bodies });
        const archived = await store.archived({ eventId: 'large-event-1', messageId: 'large-1' });
        expect(archived?.rawBody?.equals(rawBody)).toBe(true);
      } finally {
        client.destroy();
        await bodies.destroy();
      }
    });
  });
});
