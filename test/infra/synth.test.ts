import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseReceiverSettings } from '../../lambdas/core/settings';
import { FluentWebhookReceiver } from '../../lib/receiver/fluent-webhook-receiver';
import { testKeyPair } from '../support/test-keys';
import { fluentEvent } from '../support/factories';
import { cdkSynth, offlineEnv } from '../support/cdk-synth';

const ROOT = join(__dirname, '..', '..');
const SECRET = 'synthSecret_0123456789abcdefghijklmn';
/** A second live secret, as during a rotation. */
const NEXT_SECRET = 'nextSynthSecret_0123456789abcdefghij';
const key = testKeyPair(1024, 'synth');

function describeRun(run: SpawnSyncReturns<string>): string {
  return `exit ${run.status}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

/** `cdk synth` of the `ci` environment with the test key and account ACME, plus `context`, offline. */
function cdkSynthCi(outdir: string, context: Record<string, string>): SpawnSyncReturns<string> {
  return cdkSynth(outdir, { env: 'ci', publicKeys: key.publicKeyBase64, accountIds: 'ACME', ...context });
}

describe('Synthesis', () => {
  const outdirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'fluent-synth-'));
    outdirs.push(dir);
    return dir;
  };
  afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('bundles the verifying Lambda with the local esbuild into a small bundle that answers under plain Node.js', () => {
    // Prepare
    const app = new App({ outdir: tempDir(), builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Bundled');
    new FluentWebhookReceiver(stack, 'Receiver', {
      settings: parseReceiverSettings({ publicKeys: key.publicKeyBase64, accountIds: 'ACME' }),
      pathSecret: SECRET,
      queueReaderArns: ['arn:aws:iam::123456789012:role/fluent-webhooks-consumer'],
    });

    // Act
    const s3Key = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0]?.Properties.Code
      .S3Key as string;
    const assetDir = join(app.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);

    // Assess: the bundle and its source map exist, and the map shows what went in.
    expect(existsSync(join(assetDir, 'index.js'))).toBe(true);
    const sources = (JSON.parse(readFileSync(join(assetDir, 'index.js.map'), 'utf8')) as { sources: string[] }).sources;
    expect(sources.some((source) => source.endsWith('lambdas/receiver/create-receiver-handler.ts'))).toBe(true);
    expect(sources.some((source) => source.includes('@aws-sdk/client-sqs'))).toBe(true);
    expect(sources.filter((source) => source.includes('node_modules/zod'))).toEqual([]);

    // Assess: the bundle loads under plain Node.js and answers; SendMessage goes to a closed port on loopback.
    const body = JSON.stringify(fluentEvent({ id: '1', accountId: 'ACME' }));
    const script = `
      const { handler } = require(${JSON.stringify(join(assetDir, 'index.js'))});
      const event = (headers) => ({ body: Buffer.from(${JSON.stringify(body)}).toString('base64'), isBase64Encoded: true,
        headers, multiValueHeaders: {}, pathParameters: { route: 'orders' }, requestContext: { requestId: 'r-1' } });
      const signature = require('node:crypto').sign('sha512', Buffer.from(${JSON.stringify(body)}), process.env.PRIVATE_KEY).toString('base64');
      (async () => {
        const unsigned = await handler(event({}));
        const signed = await handler(event({ 'fluent-signature': signature }));
        process.stderr.write(JSON.stringify([unsigned.statusCode, signed.statusCode]) + '\\n');
      })();`;
    const run = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
      env: offlineEnv({
        PRIVATE_KEY: key.privateKeyPem,
        FLUENT_PUBLIC_KEYS: key.publicKeyBase64,
        FLUENT_ACCOUNT_IDS: 'ACME',
        QUEUE_URL: 'http://127.0.0.1:1/000000000000/webhooks',
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_MAX_ATTEMPTS: '1',
      }),
    });
    expect(run.stderr.trim().split('\n').at(-1)).toBe('[401,503]');
  });

  it('runs `cdk synth` with the CLI: no credentials, no Docker, no network, cdk-nag included, two live secrets', () => {
    // Prepare
    const outdir = tempDir();

    // Act
    const run = cdkSynthCi(outdir, { pathSecret: `${NEXT_SECRET},${SECRET}` });

    // Assess
    expect(run.status).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'FluentWebhooks-ci.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    expect(
      Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::ApiGateway::Method'),
    ).toHaveLength(2);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: unknown[];
    };
    expect(report.pluginReports).toEqual([]);
    expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET);
    expect(`${run.stdout}${run.stderr}`).not.toContain(NEXT_SECRET);
  }, 120_000);

  it('runs `cdk synth -c ingress=queue-first`: no Lambda behind the door, only the consumer, cdk-nag clean', () => {
    // Prepare
    const outdir = tempDir();

    // Act
    const run = cdkSynthCi(outdir, { pathSecret: SECRET, ingress: 'queue-first' });

    // Assess
    expect(describeRun(run)).toMatch(/^exit 0/);
    const template = JSON.parse(readFileSync(join(outdir, 'FluentWebhooks-ci.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const ofType = (type: string) => Object.values(template.Resources).filter((resource) => resource.Type === type);
    const [method] = ofType('AWS::ApiGateway::Method');
    expect(method?.Properties.Integration).toMatchObject({ Type: 'AWS', IntegrationHttpMethod: 'POST' });
    expect(JSON.stringify(method?.Properties.Integration)).toContain(':sqs:path/');
    expect(ofType('AWS::Lambda::Function')).toHaveLength(1);
    expect(ofType('AWS::Lambda::Permission')).toEqual([]);
    expect(ofType('AWS::Lambda::EventSourceMapping')).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: unknown[];
    };
    expect(report.pluginReports).toEqual([]);
  }, 120_000);

  it('runs `cdk synth -c ordering=per-entity`: FIFO queue and DLQ, the receiver setting group and deduplication ids', () => {
    // Prepare
    const outdir = tempDir();

    // Act
    const run = cdkSynthCi(outdir, { pathSecret: SECRET, ordering: 'per-entity' });

    // Assess
    expect(describeRun(run)).toMatch(/^exit 0/);
    const template = JSON.parse(readFileSync(join(outdir, 'FluentWebhooks-ci.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const ofType = (type: string) => Object.values(template.Resources).filter((resource) => resource.Type === type);
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(2);
    for (const queue of queues)
      expect(queue.Properties).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false });
    const receiver = ofType('AWS::Lambda::Function').find(
      (fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.QUEUE_URL !== undefined,
    );
    expect(receiver?.Properties.Environment).toMatchObject({ Variables: { ORDERING: 'per-entity' } });
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: unknown[];
    };
    expect(report.pluginReports).toEqual([]);
  }, 120_000);

  it('fails the app with a clear message when no path secret is configured', () => {
    // Act
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bin', 'fluent-webhooks.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: offlineEnv({
        CDK_OUTDIR: tempDir(),
        CDK_CONTEXT_JSON: JSON.stringify({ publicKeys: key.publicKeyBase64, accountIds: 'ACME' }),
      }),
    });

    // Assess
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(
      /Invalid configuration for environment "default"[\s\S]*pathSecret is missing[\s\S]*Run `npx fluent-webhook secret`/,
    );
    expect(describeRun(run)).not.toMatch(/Bundling asset/);
    expect(run.status).toBe(1);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('`cdk synth` lists configuration problems without a stack trace, naming -c keys, -c winning over cdk.json', () => {
    // Prepare: an app folder of its own whose cdk.json has an environment block, run by the real CLI.
    const dir = tempDir();
    const cdkJson = {
      app: `${join(ROOT, 'node_modules', '.bin', 'tsx')} ${join(ROOT, 'bin', 'fluent-webhooks.ts')}`,
      context: { accountIds: 'ACME', environments: { ci: { throttlingRateLimit: 100, stageName: 'hooks' } } },
    };
    writeFileSync(join(dir, 'cdk.json'), JSON.stringify(cdkJson));

    // Act: no keys anywhere, a rate on the command line over the block's, and a mistyped key.
    const run = spawnSync(
      join(ROOT, 'node_modules', '.bin', 'cdk'),
      ['synth', '--quiet', '--no-notices', '-c', 'env=ci', '-c', 'throttlingRateLimit=0', '-c', 'enableWAF=true'],
      { cwd: dir, encoding: 'utf8', timeout: 110_000, env: offlineEnv({ WEBHOOK_PATH_SECRET: SECRET }) },
    );

    // Assess: exit 1, one list, each line naming the context key and where its value came from or how to set it.
    expect(run.status).not.toBe(0);
    const lines = run.stderr.split('\n');
    const start = lines.findIndex((line) => line.startsWith('Invalid configuration for environment "ci"'));
    expect(start).toBeGreaterThanOrEqual(0);
    const problems = lines.slice(start + 1).filter((line) => line.startsWith('  - '));
    expect(problems).toEqual([
      '  - enableWAF is not a setting of this app. Did you mean enableWaf? [from -c]',
      expect.stringMatching(
        /^ {2}- publicKeys is missing: .* \[set it with -c publicKeys=… or the publicKeys key in cdk\.json\]$/,
      ),
      expect.stringMatching(/^ {2}- throttlingRateLimit is 0; .* \[from -c\]$/),
    ]);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).not.toContain('FLUENT_PUBLIC_KEYS');
    expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET);
  }, 120_000);
});
