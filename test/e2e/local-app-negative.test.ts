import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CfnTemplateJson, changedCopy, SYNTH_TIMEOUT_MS, synthesizedApp, SynthesizedApp } from '../support/cdk-synth';
import { largeEventBody } from '../support/archived-entries';
import { fluentEventBody } from '../support/factories';
import { useTempDir } from '../support/temp-dir';
import { APP_TEST_TIMEOUT_MS, AppRunnerProcess, startAppRunnerProcess } from './app-runner-process';
import { REPO_ROOT, type LogLine } from './local-runner-process';

const DENIED = 'AWS call denied by the template policies';
const PROCESSED = 'webhook processed';

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};
type PolicyDocument = { Statement: Statement[] };

/** The one resource of `type` whose logical id starts with `prefix`. */
function resourceOf(template: CfnTemplateJson, type: string, prefix = ''): Record<string, unknown> {
  const found = Object.entries(template.Resources).filter(
    ([id, resource]) => resource.Type === type && id.startsWith(prefix),
  );
  if (found.length !== 1) throw new Error(`Expected one ${type} ${prefix}, found ${found.length}.`);
  return found[0]![1].Properties;
}
const policyOf = (template: CfnTemplateJson, prefix: string) =>
  resourceOf(template, 'AWS::IAM::Policy', prefix).PolicyDocument as PolicyDocument;
/** Removes `action` from every statement of a policy (and statements left with no action). */
function withoutAction(document: PolicyDocument, action: string): void {
  document.Statement = document.Statement.flatMap((statement) => {
    const actions = [statement.Action].flat().filter((name) => name !== action);
    return actions.length === 0 ? [] : [{ ...statement, Action: actions }];
  });
}

/**
 * Negative controls: each a broken copy of the real template, which must fail locally the way it would fail on AWS,
 * so that the runner cannot pass by accident.
 */
// Each case starts or waits on a runner whose two bundles share the machine's cores with the other suites.
jest.setTimeout(APP_TEST_TIMEOUT_MS);

describe('Program: fluent-webhook local --app on broken copies of the synthesized template', () => {
  const temp = useTempDir('fluent-webhook-app-broken-');
  let app: SynthesizedApp;
  let queueFirst: SynthesizedApp;
  const started: AppRunnerProcess[] = [];
  const run = async (name: string, base: SynthesizedApp, change: (template: CfnTemplateJson) => void) => {
    const running = await startAppRunnerProcess(
      base,
      changedCopy(base, temp.path(name), change),
      temp.path(`${name}-data`),
    );
    started.push(running);
    return running;
  };

  beforeAll(() => {
    app = synthesizedApp();
    queueFirst = synthesizedApp({ ingress: 'queue-first' });
  }, 2 * SYNTH_TIMEOUT_MS);
  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((running) => running.runner.stop()));
  });

  it('never answers 200 when the receiver role may not send to the queue: 503 and the missing permission logged', async () => {
    // Prepare
    const running = await run('no-send', app, (template) =>
      withoutAction(policyOf(template, 'ReceiverReceiverRole'), 'sqs:SendMessage'),
    );

    // Act
    const response = await running.postSigned('orders', fluentEventBody({ id: randomUUID() }));
    const denied = await running.waitForLine((line) => line.message === DENIED);

    // Assess
    expect(response.status).toBe(503);
    expect(denied).toMatchObject({
      action: 'sqs:SendMessage',
      missingPermission: 'sqs:SendMessage',
      role: expect.stringMatching(/^ReceiverReceiverRole/),
    });
  });

  it('answers 500 when the Lambda permission lets API Gateway invoke for GET only', async () => {
    // Prepare
    const running = await run('get-only', app, (template) => {
      const permission = resourceOf(template, 'AWS::Lambda::Permission');
      const parts = (permission.SourceArn as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      parts[parts.length - 1] = '/GET/*';
    });

    // Act
    const response = await running.postSigned('orders', fluentEventBody({ id: randomUUID() }));

    // Assess
    expect(response.status).toBe(500);
    expect(running.count((line) => line.component === 'receiver')).toBe(0);
  });

  it('never processes a webhook when the consumer role may not dynamodb:PutItem', async () => {
    // Prepare
    const running = await run('no-put', app, (template) =>
      withoutAction(policyOf(template, 'ConsumerConsumerRole'), 'dynamodb:PutItem'),
    );
    const eventId = randomUUID();

    // Act
    const response = await running.postSigned('orders', fluentEventBody({ id: eventId }));
    const denied = await running.waitForLine((line) => line.message === DENIED);

    // Assess
    expect(response.status).toBe(200);
    expect(denied).toMatchObject({
      action: 'dynamodb:PutItem',
      missingPermission: 'dynamodb:PutItem',
      role: expect.stringMatching(/^ConsumerConsumerRole/),
    });
    expect(running.count((line) => line.eventId === eventId && line.message === PROCESSED)).toBe(0);
  });

  it('never records a large body without its copy when the consumer role may not s3:PutObject in the bucket', async () => {
    // Prepare
    const running = await run('no-put-object', app, (template) =>
      withoutAction(policyOf(template, 'ConsumerConsumerRole'), 's3:PutObject'),
    );
    const eventId = randomUUID();

    // Act
    const response = await running.postSigned('orders', largeEventBody(eventId));
    const denied = await running.waitForLine((line) => line.message === DENIED);
    const failed = await running.waitForLine((line) => line.eventId === eventId && line.reason !== undefined);

    // Assess: the PutObject is refused as AWS would, and the record fails to be retried, not processed.
    expect(response.status).toBe(200);
    expect(denied).toMatchObject({
      action: 's3:PutObject',
      resource: expect.stringMatching(new RegExp(`^arn:aws:s3:::[a-z0-9-]+/bodies/${eventId}/[0-9a-f]{64}$`)),
      missingPermission: 's3:PutObject',
      role: expect.stringMatching(/^ConsumerConsumerRole/),
    });
    expect(failed).toMatchObject({ reason: 'history-store-failed' });
    expect(running.count((line) => line.eventId === eventId && line.message === PROCESSED)).toBe(0);
  });

  it("answers 503 when the queue policy lets another role send: the policy's deny statement is named", async () => {
    // Prepare
    const running = await run('other-role', app, (template) => {
      const policy = resourceOf(template, 'AWS::SQS::QueuePolicy', 'ReceiverQueuePolicy')
        .PolicyDocument as PolicyDocument;
      const onlyTheReceiver = policy.Statement.find((statement) => statement.Sid === 'OnlyTheReceiverSends')!;
      onlyTheReceiver.Condition!.ArnNotLike = { 'aws:PrincipalArn': ['arn:aws:iam::000000000000:role/someone-else'] };
    });

    // Act
    const response = await running.postSigned('orders', fluentEventBody({ id: randomUUID() }));
    const denied = await running.waitForLine((line) => line.message === DENIED);

    // Assess
    expect(response.status).toBe(503);
    expect(denied).toMatchObject({
      action: 'sqs:SendMessage',
      deniedBy: expect.stringContaining('OnlyTheReceiverSends'),
    });
  });

  it('answers 413, not 200, when the queue-first request template misspells the SQS action', async () => {
    // Prepare: SQS answers InvalidAction, which the error response template turns into 413, locally as on AWS.
    const running = await run('vtl-typo', queueFirst, (template) => {
      const integration = resourceOf(template, 'AWS::ApiGateway::Method').Integration as {
        RequestTemplates: Record<string, string>;
      };
      const requestTemplate = integration.RequestTemplates['application/json']!;
      integration.RequestTemplates['application/json'] = requestTemplate.replace(
        'Action=SendMessage&',
        'Action=SendMesage&',
      );
    });

    // Act
    const response = await running.postSigned('orders', fluentEventBody({ id: randomUUID() }));

    // Assess
    expect(response.status).toBe(413);
  });

  it('refuses to start when a function environment refers to a resource it does not create, naming it', async () => {
    // Prepare
    const dir = changedCopy(app, temp.path('unresolvable'), (template) => {
      const fn = resourceOf(template, 'AWS::Lambda::Function', 'ConsumerConsumerFunction');
      (fn.Environment as { Variables: Record<string, unknown> }).Variables.FLUENT_API_SECRET = {
        Ref: 'SomeSecretNotHere',
      };
    });

    // Act
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'fluent-webhook.cjs'), 'local', '--app', dir], {
      env: { ...process.env, PORT: '0', LOCAL_DATA_DIR: temp.path('unresolvable-data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));

    // Assess
    expect(code).toBe(1);
    const failed = output
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine)
      .find((line) => line.message === 'local receiver could not start');
    expect(JSON.stringify(failed)).toMatch(/ConsumerConsumerFunction.*FLUENT_API_SECRET.*Ref SomeSecretNotHere/);
  });
});
