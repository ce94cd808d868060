import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseReceiverSettings } from '../../lambdas/core/settings';
import { FluentWebhooks } from '../../lib/fluent-webhooks/fluent-webhooks';
import type { FluentWebhooksProps } from '../../lib/fluent-webhooks/fluent-webhooks-props';
import { FluentWebhookStack } from '../../lib/stack/fluent-webhook-stack';
import { tempApp, unacknowledgedNagFindings } from '../support/nag-findings';
import { testKeyPair } from '../support/test-keys';

const SECRET = 'Sweep-kT_4mWp7sLr2YbN8cHd5FgJ6aZq3Xy';
const publicKey = testKeyPair(1024, 'sweep-infra').publicKeyBase64;
const settings = parseReceiverSettings({ publicKeys: publicKey, accountIds: 'ACME' });
const FLUENT_API = { apiUrl: 'https://acme.sandbox.api.fluentretail.com', account: 'ACME', secretName: 'fluent/api' };
const SWEEP = { names: ['OrderStatusChange'] };

function pipeline(props: Partial<FluentWebhooksProps> = {}) {
  const app = tempApp();
  const stack = new Stack(app, 'SweepTest');
  const webhooks = new FluentWebhooks(stack, 'Webhooks', { settings, pathSecret: SECRET, ...props });
  return { app, stack, webhooks, template: Template.fromStack(stack) };
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** Every statement of every policy attached to a role, by its logical id. */
function roleStatements(template: Template, roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

describe('Class: FluentWebhookReconciliationSweep (reconciliationSweep)', () => {
  const { app, stack, webhooks, template } = pipeline({ fluentApi: FLUENT_API, reconciliationSweep: SWEEP });
  const sweep = webhooks.reconciliationSweep!;
  const id = (construct: { node: { defaultChild?: unknown } } | undefined) =>
    stack.getLogicalId(construct!.node.defaultChild as never);
  const functionId = id(sweep.sweepFunction);
  const roleId = id(sweep.sweepRole);
  const queueId = id(webhooks.consumer.reconciliation!.queue);
  const deadLetterId = id(webhooks.consumer.reconciliation!.deadLetterQueue);

  it('schedules the recent sweep every 15 minutes and the nightly sweep at 02:00 UTC, each naming its sweep', () => {
    // Assess
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    for (const [expression, sweepId] of [
      ['rate(15 minutes)', 'recent'],
      ['cron(0 2 * * ? *)', 'nightly'],
    ]) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: expression,
        State: 'ENABLED',
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          Input: JSON.stringify({ sweep: sweepId }),
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        }),
      });
    }
  });

  it('gives the sweep Lambda 15 minutes, its settings, the checkpoint table and the door stage', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      Environment: {
        Variables: Match.objectLike({
          RECONCILIATION_SWEEP: JSON.stringify(SWEEP),
          RECONCILIATION_QUEUE_URL: { Ref: queueId },
          RECONCILIATION_CHECKPOINT_TABLE: { Ref: id(sweep.checkpointTable) },
          RECONCILIATION_DOOR_API_NAME: 'fluent-webhooks',
          RECONCILIATION_DOOR_STAGE: Match.anyValue(),
          FLUENT_API_URL: FLUENT_API.apiUrl,
          FLUENT_API_SECRET_ID: FLUENT_API.secretName,
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });

  it('lets the sweep do only what it calls: logs, history lookups, its checkpoints, the reconciliation queue, the secret, metrics', () => {
    // Act
    const granted = roleStatements(template, roleId).map((statement) => ({
      actions: ([] as string[]).concat(statement.Action).sort(),
      resource: JSON.stringify(statement.Resource),
    }));

    // Assess
    expect(granted.map((grant) => grant.actions)).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      ['secretsmanager:GetSecretValue'],
      ['dynamodb:Query'],
      ['dynamodb:UpdateItem'],
      ['sqs:SendMessage'],
      ['cloudwatch:GetMetricData'],
    ]);
    expect(granted[2]!.resource).toBe(JSON.stringify({ 'Fn::GetAtt': [id(webhooks.consumer.historyTable), 'Arn'] }));
    expect(granted[3]!.resource).toContain(id(sweep.checkpointTable));
    expect(granted[4]!.resource).toBe(JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] }));
    expect(granted[5]!.resource).toBe('"*"');
    expect(granted.every((grant) => !grant.actions.some((action) => action.endsWith('*')))).toBe(true);
  });

  it('adds the sweep to the reconciliation queue senders, and denies reading both reconciliation queues to all but the consumer', () => {
    // Assess
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'OnlyTheReconcilerSends',
            Condition: { ArnNotLike: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [roleId, 'Arn'] }] } },
          }),
        ]),
      },
    });
    const consumerRole = { 'Fn::GetAtt': [id(webhooks.consumer.consumerRole), 'Arn'] };
    for (const queue of [queueId, deadLetterId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'OnlyTheConsumerReads',
              Effect: 'Deny',
              Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'],
              Condition: { ArnNotLike: { 'aws:PrincipalArn': [consumerRole] } },
            }),
          ]),
        },
      });
    }
  });

  it('alarms when GapsFound is above zero in 3 sweep periods in a row', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'GapsFound',
      Namespace: 'FluentWebhookReceiver',
      Dimensions: Match.arrayWith([{ Name: 'component', Value: 'reconciler' }]),
      Period: 900,
      Statistic: 'Sum',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(webhooks.monitoring.alarms.gapsKeepAppearing).toBeDefined();
  });

  it('alarms when the sweep Lambda fails in 3 sweep periods in a row', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      Period: 900,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
    });
  });

  it('graphs GapsFound and GapsBackfilled on the dashboard', () => {
    // Act
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);

    // Assess
    expect(body).toContain('Reconciliation sweep: webhooks that never arrived');
    expect(body).toMatch(/GapsFound.*GapsBackfilled/);
  });

  it('passes cdk-nag with no new finding', () => {
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });
});

describe('Prop: reconciliationSweep (settings and refusals)', () => {
  it('builds no schedule, sweep or gap alarm when off (the default)', () => {
    // Prepare
    const { webhooks, template } = pipeline({ fluentApi: FLUENT_API });

    // Assess
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    expect(webhooks.reconciliationSweep).toBeUndefined();
    expect(webhooks.monitoring.alarms.gapsKeepAppearing).toBeUndefined();
    expect(webhooks.monitoring.alarms.reconciliationSweepErrors).toBeUndefined();
  });

  it('follows everyMinutes, nightlyHourUtc and nightlyLookbackDays 0 (no nightly sweep)', () => {
    // Prepare
    const { template } = pipeline({
      fluentApi: FLUENT_API,
      reconciliationSweep: { ...SWEEP, everyMinutes: 30, nightlyLookbackDays: 0 },
    });

    // Assess
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(30 minutes)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'GapsFound', Period: 1800 });
  });

  it.each([
    [{ reconciliationSweep: SWEEP }, 'reconciliationSweep needs fluentApi'],
    [{ fluentApi: FLUENT_API, reconciliationSweep: { names: [] } }, 'reconciliationSweep.names must list'],
    [
      { fluentApi: FLUENT_API, reconciliationSweep: { ...SWEEP, everyMinutes: 0, nightlyHourUtc: 24 } },
      'reconciliationSweep.everyMinutes is 0; use a whole number from 1 to 480',
    ],
    [
      { fluentApi: FLUENT_API, reconciliationSweep: { ...SWEEP, every: 5 } },
      'reconciliationSweep.every is not a field',
    ],
  ])('refuses %j naming the setting', (props, message) => {
    // Act & Assess
    expect(() => pipeline(props as Partial<FluentWebhooksProps>)).toThrow(message);
  });

  it('is read from the reconciliationSweep context key, an object in cdk.json or JSON with -c', () => {
    // Prepare
    const context = {
      pathSecret: SECRET,
      publicKeys: publicKey,
      accountIds: 'ACME',
      fluentApiUrl: FLUENT_API.apiUrl,
      fluentApiAccount: FLUENT_API.account,
      fluentApiSecretName: FLUENT_API.secretName,
    };
    const fromObject = new FluentWebhookStack(tempApp({ context: { ...context, reconciliationSweep: SWEEP } }), 'A', {
      environmentName: 'default',
    });
    const fromText = new FluentWebhookStack(
      tempApp({ context: { ...context, reconciliationSweep: '{"names":["OrderStatusChange"],"everyMinutes":5}' } }),
      'B',
      { environmentName: 'default' },
    );

    // Assess
    Template.fromStack(fromObject).resourceCountIs('AWS::Scheduler::Schedule', 2);
    Template.fromStack(fromText).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
    });
    expect(
      () =>
        new FluentWebhookStack(tempApp({ context: { ...context, reconciliationSweep: '{names' } }), 'C', {
          environmentName: 'default',
        }),
    ).toThrow('reconciliationSweep is not JSON');
  });
});
