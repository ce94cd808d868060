import { CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { throwIfProblems } from '../../lambdas/core/configuration-problems';
import { RuntimeEnv } from '../../lambdas/contract/environment';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/contract/observability';
import {
  CHECKPOINT_TABLE_KEY,
  readSweepSettings,
  SWEEP_DEFAULTS,
  SweepId,
  SweepInvocation,
} from '../../lambdas/contract/reconciliation-sweep';
import { grantFluentApiAccess } from '../consumer/fluent-api-access';
import { createBundledFunction, repositoryBundleSource } from '../internal/lambda-bundling';
import type { FluentWebhookReconciliationSweepProps } from './reconciliation-sweep-props';

export type { FluentWebhookReconciliationSweepProps } from './reconciliation-sweep-props';

/** The sweep Lambda's entry, relative to the repository root. */
export const SWEEP_ENTRY = 'lambdas/reconcile/handler.ts';
/** Lambda's longest run: a sweep stops a little before it, and the next invocation resumes. */
const SWEEP_TIMEOUT = Duration.minutes(15);
/** The one action the sweep takes on the history: look an event id up (Query on the table's key). */
export const SWEEP_HISTORY_ACTIONS = ['dynamodb:Query'];
/** Claim, save and release a checkpoint: each one conditional UpdateItem. */
export const SWEEP_CHECKPOINT_ACTIONS = ['dynamodb:UpdateItem'];
/** Reading the door's API Gateway metrics; GetMetricData has no resource-level permissions. */
export const SWEEP_METRICS_ACTIONS = ['cloudwatch:GetMetricData'];

/**
 * The scheduled reconciliation sweep: an EventBridge Scheduler schedule every `everyMinutes` over the recent
 * window and one nightly over `nightlyLookbackDays`, each invoking a Lambda that runs the same `reconcile()` as
 * `fluent-webhook reconcile`, page by page, saving its position after each page in a small checkpoint table so
 * that a run cut by Lambda's 15 minutes resumes where it stopped. The windows where the door failed come first.
 * Its role may only: write its logs, look ids up in the history, use its checkpoint table, send to the
 * reconciliation queue, read the Fluent credentials secret, and (with `apiStage`) read metrics.
 */
export class FluentWebhookReconciliationSweep extends Construct {
  /** The sweep Lambda the schedules invoke. */
  public readonly sweepFunction: NodejsFunction;
  /** The sweep Lambda's role, with only the permissions listed above. */
  public readonly sweepRole: iam.Role;
  /** The sweep Lambda's log group: one summary line per sweep. */
  public readonly sweepLogGroup: logs.LogGroup;
  /** One item per sweep: its checkpoint and lease. Disposable: without it the next sweep plans anew. */
  public readonly checkpointTable: dynamodb.Table;
  /** The recent sweep's schedule, then the nightly one's (absent with `nightlyLookbackDays: 0`). */
  public readonly schedules: readonly scheduler.Schedule[];
  /** What the schedules run as: it may invoke the sweep function and nothing else. */
  public readonly scheduleRole: iam.Role;
  /** How often the recent sweep starts: the period of the "gaps keep appearing" alarm. */
  public readonly every: Duration;

  public constructor(scope: Construct, id: string, props: FluentWebhookReconciliationSweepProps) {
    super(scope, id);
    const { settings: checked, problems } = readSweepSettings('reconciliationSweep', props.settings);
    const queue = props.consumer.reconciliation?.queue;
    if (queue === undefined) {
      problems.push({
        setting: 'consumer',
        message: 'has no reconciliation queue: give it reconciliationSweep (or reconcilerArns) among its props.',
      });
    }
    throwIfProblems('Invalid reconciliation sweep configuration', problems);
    const settings = checked!;
    this.every = Duration.minutes(settings.everyMinutes ?? SWEEP_DEFAULTS.everyMinutes);

    this.checkpointTable = new dynamodb.Table(this, 'CheckpointTable', {
      partitionKey: { name: CHECKPOINT_TABLE_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // A few hundred bytes per sweep: recovery costs next to nothing and keeps cdk-nag's DDB3 rule.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.sweepLogGroup = new logs.LogGroup(this, 'SweepLogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.sweepRole = new iam.Role(this, 'SweepRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        "Reconciliation sweep of the Fluent webhook receiver: list Fluent's events, look them up in the history, backfill the gaps.",
    });
    this.sweepLogGroup.grantWrite(this.sweepRole);

    const history = props.consumer.historyTable;
    this.sweepFunction = createBundledFunction(this, 'SweepFunction', repositoryBundleSource(SWEEP_ENTRY), {
      defaults: {
        description: "Compares Fluent's Event API with the history and backfills the webhooks that never arrived.",
        memorySize: 512,
      },
      overrides: props.sweepFunctionProps,
      wiring: {
        role: this.sweepRole,
        logGroup: this.sweepLogGroup,
        timeout: SWEEP_TIMEOUT,
        environment: {
          [RuntimeEnv.RECONCILIATION_SWEEP]: JSON.stringify(settings),
          [RuntimeEnv.RECONCILIATION_QUEUE_URL]: queue!.queueUrl,
          [RuntimeEnv.RECONCILIATION_CHECKPOINT_TABLE]: this.checkpointTable.tableName,
          [RuntimeEnv.HISTORY_TABLE_NAME]: history.tableName,
          POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          ...(props.environmentName === undefined ? {} : { [RuntimeEnv.ENVIRONMENT_NAME]: props.environmentName }),
          ...(props.apiStage === undefined
            ? {}
            : {
                [RuntimeEnv.RECONCILIATION_DOOR_API_NAME]: props.apiStage.restApi.restApiName,
                [RuntimeEnv.RECONCILIATION_DOOR_STAGE]: props.apiStage.stageName,
              }),
        },
      },
    });
    // A failed run is not retried: the next scheduled one resumes from the checkpoint.
    this.sweepFunction.configureAsyncInvoke({ retryAttempts: 0 });
    const access = grantFluentApiAccess(this, this.sweepFunction, props.fluentApi);
    for (const [name, value] of Object.entries(access.environment)) this.sweepFunction.addEnvironment(name, value);
    this.sweepRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: SWEEP_HISTORY_ACTIONS, resources: [history.tableArn] }),
    );
    history.encryptionKey?.grant(this.sweepRole, 'kms:Decrypt');
    this.checkpointTable.grant(this.sweepRole, ...SWEEP_CHECKPOINT_ACTIONS);
    this.sweepRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue!.queueArn] }),
    );
    props.consumer.allowReconciler(this.sweepRole.roleArn);
    if (props.apiStage !== undefined) {
      this.sweepRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: SWEEP_METRICS_ACTIONS, resources: ['*'] }),
      );
    }

    // Scheduler's own role, here rather than one CDK would create at the stack's root: invoke this function only.
    this.scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler: start the Fluent webhook reconciliation sweep.',
    });
    const schedule = (scheduleId: string, sweep: SweepInvocation, expression: scheduler.ScheduleExpression) =>
      new scheduler.Schedule(this, scheduleId, {
        schedule: expression,
        description: `Fluent webhook reconciliation: the ${sweep.sweep} sweep.`,
        target: new targets.LambdaInvoke(this.sweepFunction, {
          role: this.scheduleRole,
          input: scheduler.ScheduleTargetInput.fromObject(sweep),
          // A missed start is not made up: the next one resumes from the checkpoint.
          retryAttempts: 0,
          maxEventAge: Duration.minutes(1),
        }),
      });
    const nightlyDays = settings.nightlyLookbackDays ?? SWEEP_DEFAULTS.nightlyLookbackDays;
    this.schedules = [
      schedule('RecentSweepSchedule', { sweep: SweepId.RECENT }, scheduler.ScheduleExpression.rate(this.every)),
      ...(nightlyDays === 0
        ? []
        : [
            schedule(
              'NightlySweepSchedule',
              { sweep: SweepId.NIGHTLY },
              scheduler.ScheduleExpression.cron({
                minute: '0',
                hour: String(settings.nightlyHourUtc ?? SWEEP_DEFAULTS.nightlyHourUtc),
              }),
            ),
          ]),
    ];
    this.acknowledgeFindings(props.apiStage !== undefined);
  }

  private acknowledgeFindings(readsMetrics: boolean): void {
    const functionId = Stack.of(this).getLogicalId(this.sweepFunction.node.defaultChild as CfnElement);
    Validations.of(this.scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason:
        "lambda:InvokeFunction on the sweep function and its versions (<function ARN>:*, CDK's grantInvoke): the role may invoke that one function and nothing else.",
    });
    if (!readsMetrics) return;
    Validations.of(this.sweepRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "cloudwatch:GetMetricData has no resource-level permissions (AWS's service authorization reference): the sweep reads the door's API Gateway 5XXError and 4XXError with it, and nothing else.",
    });
  }
}
