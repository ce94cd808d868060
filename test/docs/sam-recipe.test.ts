import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App } from 'aws-cdk-lib';
import { FluentWebhookStack } from '../../lib/stack/fluent-webhook-stack';
import { stackNameFor } from '../../lib/stack/stack-config';
import { bufferedIo } from '../../tools/cli/cli-io';
import { eventCommand } from '../../tools/cli/commands/event';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { LOCAL_RESOURCE_NAMES } from '../../tools/local/local-config';
import { RunningEmulators, startEmulators } from '../support/emulators';
import { proseLines } from '../support/markdown';
import { testKeyPair } from '../support/test-keys';

const ROOT = join(__dirname, '..', '..');
const PAGE = readFileSync(join(ROOT, 'docs', 'local-development.md'), 'utf8');
const OPERATIONS = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
const PATH_SECRET = 'samRecipeSecret_0123456789abcdefghijklmn';
const SAMPLE = readFileSync(join(ROOT, 'samples', 'order-status-change.json'));
const key = testKeyPair(1024, 'sam-recipe');

type Template = {
  Resources: Record<string, { Type: string; Metadata?: Record<string, string>; Properties: Record<string, unknown> }>;
  Outputs: Record<string, unknown>;
};

/** Loads a Lambda bundle as the Node.js runtime does and prints what its handler returned as the last stderr line. */
const RUN_BUNDLE = `
  const { handler } = require(process.env.BUNDLE);
  const context = { functionName: 'sam-local', awsRequestId: 'sam-req-1', memoryLimitInMB: '512',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:sam-local', getRemainingTimeInMillis: () => 30000 };
  handler(JSON.parse(require('node:fs').readFileSync(process.env.EVENT_FILE, 'utf8')), context).then(
    (result) => process.stderr.write(JSON.stringify(result) + '\\n'),
    (error) => process.stderr.write('THREW ' + error.stack + '\\n'));`;

/** The recipe's jq rewrite: the one shell block that writes the `.sam.json` copy of the template. */
function recipeRewrite(): { args: string[]; program: string } {
  const block = proseLines(PAGE).length > 0 ? PAGE : '';
  const match =
    /jq ((?:--arg \w+ "<\w+>" )+)'\n([\s\S]*?)\n\s*' cdk\.out\/FluentWebhooks-default\.template\.json > cdk\.out\/FluentWebhooks-default\.sam\.json/.exec(
      block,
    );
  if (match === null) throw new Error('docs/local-development.md has no jq rewrite of the template into .sam.json.');
  return {
    args: [...match[1]!.matchAll(/--arg (\w+) "<(\w+)>"/g)].map((arg) => `${arg[1]}=${arg[2]}`),
    program: match[2]!,
  };
}

/** The logical ids the recipe's table names, by the function they are. */
function namedLogicalIds(): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const match of PAGE.matchAll(/^\s*\| the (verifying|consumer) Lambda\s*\| `(\w+)`/gm))
    ids[match[1]!] = match[2]!;
  return ids;
}

describe('Docs: the sam local recipe (docs/local-development.md) against a synthesized template', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'sam-recipe-'));
  let template: Template;
  let emulators: RunningEmulators;

  beforeAll(async () => {
    // Prepare: the synth of the recipe's step 2 (real bundling), and npm start's emulators with its queue and table.
    const app = new App({
      outdir,
      context: {
        env: 'default',
        publicKeys: key.publicKeyBase64,
        accountIds: 'ACME',
        alarmEmail: 'ops@example.com',
        // What the CDK CLI sets: the metadata the recipe reads (construct path, asset folder).
        'aws:cdk:enable-path-metadata': true,
        'aws:cdk:enable-asset-metadata': true,
      },
    });
    new FluentWebhookStack(app, stackNameFor('default'), {
      environmentName: 'default',
      processEnv: { WEBHOOK_PATH_SECRET: PATH_SECRET },
    });
    app.synth();
    template = JSON.parse(readFileSync(join(outdir, 'FluentWebhooks-default.template.json'), 'utf8')) as Template;
    emulators = await startEmulators({
      queues: [{ name: LOCAL_RESOURCE_NAMES.queue }],
      idempotencyTables: [LOCAL_RESOURCE_NAMES.idempotencyTable],
    });
    // A synth with real bundling: bounded well above what it takes on a busy 2-core machine.
  }, 120_000);
  afterAll(async () => {
    await emulators?.close();
    rmSync(outdir, { recursive: true, force: true });
  });

  it('names the two functions by their logical ids, each with a bundle in its asset folder', () => {
    // Act
    const ids = namedLogicalIds();

    // Assess
    expect(Object.keys(ids).sort()).toEqual(['consumer', 'verifying']);
    expect(template.Resources[ids.verifying!]?.Metadata?.['aws:cdk:path']).toMatch(
      /\/Receiver\/ReceiverFunction\/Resource$/,
    );
    expect(template.Resources[ids.consumer!]?.Metadata?.['aws:cdk:path']).toMatch(
      /\/Consumer\/ConsumerFunction\/Resource$/,
    );
    for (const id of Object.values(ids)) {
      const resource = template.Resources[id]!;
      expect(resource.Type).toBe('AWS::Lambda::Function');
      expect(resource.Properties.Handler).toBe('index.handler');
      expect(resource.Properties.Runtime).toBe('nodejs24.x');
      expect(existsSync(join(outdir, resource.Metadata!['aws:asset:path']!, 'index.js'))).toBe(true);
    }
  });

  it('runs both bundles as sam local invoke would: 200 and queued, then processed, against the emulators', () => {
    // Prepare: the recipe's rewrite (the real jq), fed with the values npm start prints.
    const values: Record<string, string> = {
      queueUrl: emulators.queues[LOCAL_RESOURCE_NAMES.queue]!.queueUrl,
      sqsEndpoint: emulators.sqsEndpoint,
      idempotencyTableName: LOCAL_RESOURCE_NAMES.idempotencyTable,
      dynamoDbEndpoint: emulators.dynamoDbEndpoint,
    };
    const { args, program } = recipeRewrite();
    const jq = spawnSync(
      'jq',
      [...args.flatMap((arg) => ['--arg', arg.split('=')[0]!, values[arg.split('=')[1]!]!]), program],
      { input: JSON.stringify(template), encoding: 'utf8' },
    );
    expect(jq.error).toBeUndefined();
    expect(jq.stderr).toBe('');
    const local = JSON.parse(jq.stdout) as Template;
    // Prepare: the recipe's step 4, the event files.
    const events = { apigateway: join(outdir, 'api-event.json'), sqs: join(outdir, 'sqs-event.json') };
    for (const [format, file] of Object.entries(events)) {
      const io = bufferedIo({ WEBHOOK_PATH_SECRET: PATH_SECRET });
      const privateKey = join(outdir, 'private-key.pem');
      writeFileSync(privateKey, key.privateKeyPem);
      const code = eventCommand.run(
        ['--private-key', privateKey, '--sample', 'order-status-change', '--format', format],
        io,
      );
      expect(code).toBe(0);
      writeFileSync(file, io.stdout());
    }
    const invoke = (id: string, eventFile: string) => {
      const resource = local.Resources[id]!;
      const variables = (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      // Act: what SAM gives the container: the template's variables (references it cannot resolve are dropped),
      // the credentials and region of the shell.
      const run = spawnSync(process.execPath, ['-e', RUN_BUNDLE], {
        encoding: 'utf8',
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          ...Object.fromEntries(Object.entries(variables).filter(([, value]) => typeof value === 'string')),
          BUNDLE: join(outdir, resource.Metadata!['aws:asset:path']!, 'index.js'),
          EVENT_FILE: eventFile,
          AWS_REGION: emulators.region,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
        },
      });
      const lines = run.stderr.trim().split('\n');
      return { result: lines.at(-1) ?? '', stdout: run.stdout };
    };
    const ids = namedLogicalIds();

    // Act
    const receiver = invoke(ids.verifying!, events.apigateway);
    const consumer = invoke(ids.consumer!, events.sqs);

    // Assess: the verifying Lambda answered 200 and the exact bytes are on the emulated queue.
    expect(JSON.parse(receiver.result)).toMatchObject({ statusCode: 200 });
    const sqs = new SQSClient(emulatorClientConfig(emulators.sqsEndpoint, emulators.region));
    return sqs
      .send(new ReceiveMessageCommand({ QueueUrl: values.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))
      .then((received) => {
        sqs.destroy();
        expect(received.Messages?.map((message) => message.Body)).toEqual([SAMPLE.toString('utf8')]);
        // Assess: the consumer processed the queued message's SQS event with the emulated table.
        expect(JSON.parse(consumer.result)).toEqual({ batchItemFailures: [] });
        expect(consumer.stdout).toContain('"message":"webhook processed"');
      });
  });

  it('lists every stack output and every alarm on docs/operations.md', () => {
    // Prepare
    const outputs = [...OPERATIONS.matchAll(/`(\w+)(…)?`/g)].map((match) => match[1]!);
    const alarmIds = Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
      .map(([id]) => /^Monitoring(\w+?)[0-9A-F]{8}$/.exec(id)?.[1]);

    // Assess
    for (const output of Object.keys(template.Outputs)) {
      expect(outputs.some((name) => output === name || output.startsWith(`${name}`))).toBe(true);
    }
    expect(alarmIds.length).toBeGreaterThan(0);
    for (const alarm of alarmIds) expect(OPERATIONS).toContain(`| \`${alarm}\``);
  });
});
