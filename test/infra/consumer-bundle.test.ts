import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { parseReceiverSettings, settingsToEnv } from '../../lambdas/core/settings';
import { FluentWebhookConsumer, FluentWebhookConsumerProps } from '../../lib/consumer/fluent-webhook-consumer';
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
  handler(JSON.parse(process.env.SQS_EVENT), context).then(
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

/** The sources the bundle's source map lists. */
function bundledSources(assetDir: string): string[] {
  return (JSON.parse(readFileSync(join(assetDir, 'index.js.map'), 'utf8')) as { sources: string[] }).sources;
}

/**
 * Runs the bundle on a forged and a genuine record under plain Node.js; the genuine one reaches DynamoDB, which is
 * a closed port on loopback here. Returns the batch response and the failure decisions the bundle logged.
 */
function runBundle(assetDir: string) {
  const forged = queuedWebhookRecord(Buffer.from('{"id":"forged","name":"X","accountId":"ACME"}'), {
    messageId: 'forged-1',
    headers: { 'fluent-signature': Buffer.alloc(128, 1).toString('base64') },
  });
  const genuine = signedEventRecord(key.privateKey, { accountId: 'ACME' }, { messageId: 'genuine-1' }).record;
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
  const jsonLines = `${run.stdout}\n${run.stderr}`
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map(
      (line) => JSON.parse(line) as { messageId?: string; outcome?: string; reason?: string; RecordFailed?: number },
    );
  return {
    response: run.stderr.trim().split('\n').at(-1),
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

  it('bundles with the local esbuild into CommonJS that loads Powertools and answers under plain Node.js', () => {
    // Act: a real synth, bundling included, then the bundle on two records.
    const assetDir = bundleConsumer(join(outdir, 'default'));
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
    // Assess: it starts and answers like the default bundle.
    expect(run.response).toBe(BOTH_FAILED);
    expect(run.decisions).toEqual([
      ['forged-1', 'verification-failed'],
      ['genuine-1', 'idempotency-store-failed'],
    ]);
  });
});
