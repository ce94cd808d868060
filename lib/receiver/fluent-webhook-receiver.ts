import { Annotations, Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NodejsFunction, NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { pathSecretFingerprint } from '../../lambdas/core/path-secret-fingerprint';
import { settingsToEnv, type ReceiverSettings } from '../../lambdas/core/settings';
import { RuntimeEnv } from '../../lambdas/contract/environment';
import { acknowledgeReceiverFindings } from './receiver-nag-acknowledgements';
import type { FluentWebhookReceiverProps } from './receiver-props';
import {
  DEFAULT_MAX_RECEIVE_COUNT,
  DEFAULT_STAGE_NAME,
  defaultDeadLetterQueueProps,
  defaultLogRetention,
  defaultQueueProps,
  defaultReceiverFunctionProps,
  defaultThrottling,
  defaultWafRateLimit,
  fifoQueueProps,
  FLUENT_PATH_SEGMENT,
} from './receiver-defaults';
import { createBundledFunction, repositoryBundleSource } from '../internal/lambda-bundling';
import { defaultConsumerTimeout, minimumVisibilityTimeout } from '../consumer/consumer-defaults';
import { livePathSecrets, secretPathPrefix, validateFluentWebhookReceiverProps } from './receiver-checks';
import { WebhookFirewall } from './webhook-firewall';
import { denyReadingToAllBut } from './queue-read-policy';
import { accessLogFormat, addGatewayResponses, lambdaProxyIntegration } from './webhook-api';
import {
  allowSendMessage,
  createGatewayQueueRole,
  queueFirstMethodResponses,
  sqsSendMessageIntegration,
} from './queue-first-integration';
import { DEFAULT_INGRESS, Ingress, IngressName } from '../../lambdas/contract/ingress';
import { DEFAULT_ORDERING, Ordering, OrderingName } from '../../lambdas/contract/ordering';

/** The verifying Lambda's entry, relative to the repository root. */
export const RECEIVER_ENTRY = 'lambdas/receiver/handler.ts';
export { ONLY_THE_CONSUMER_READS, QUEUE_READ_ACTIONS } from './queue-read-policy';
/** The id of the synth warning a receiver that accepts every Fluent account (`accountIds: '*'`) carries. */
export const EVERY_ACCOUNT_WARNING_ID = 'fluent-webhook-receiver:every-account';
/** The placeholders in {@link FluentWebhookReceiver.webhookUrlTemplate}. */
export const SECRET_PLACEHOLDER = '<secret>';
export const ROUTE_PLACEHOLDER = '<route>';
export type { FluentWebhookReceiverProps } from './receiver-props';

/**
 * The internet-facing half of the Fluent webhook receiver: a regional REST API with one method per live path
 * secret (POST `/{secret}/fluent/{route+}`, authorization NONE), the verifying Lambda behind them, and an encrypted
 * SQS queue with a dead-letter queue. The Lambda may only send to that queue. With `ingress: 'queue-first'` the
 * methods integrate with SQS directly instead, through a role that may only send to that queue: no Lambda.
 */
export class FluentWebhookReceiver extends Construct {
  /** The REST API Fluent posts to. */
  public readonly api: apigateway.RestApi;
  /** The current (first) secret's `/{secret}/fluent/{route+}`: the one in {@link webhookResources} first. */
  public readonly webhookResource: apigateway.Resource;
  /** The current (first) secret's POST method. */
  public readonly webhookMethod: apigateway.Method;
  /** The only resources with a method: `/{secret}/fluent/{route+}` for each live secret, in the order given. */
  public readonly webhookResources: readonly apigateway.Resource[];
  /** Their POST methods, one per resource; each integrates with {@link receiverFunction}, or (queue-first) with SQS. */
  public readonly webhookMethods: readonly apigateway.Method[];
  /**
   * The fingerprint of each live secret (`pathSecretFingerprint`: 8 hex digits of its SHA-256), in the order given:
   * what the verifying Lambda logs as `pathSecretFingerprint`. Safe to show; the secrets are not.
   */
  public readonly pathSecretFingerprints: readonly string[];
  /** The API's access log: one JSON line per request, without the secret path. */
  public readonly accessLogGroup: logs.LogGroup;
  /**
   * Where API Gateway writes the stage's execution logs (level ERROR). API Gateway would create this group itself,
   * with no retention; the construct creates it first, under the name API Gateway uses, with {@link logRetention}.
   */
  public readonly executionLogGroup: logs.LogGroup;
  /** `verify-first` (the verifying Lambda at the door) or `queue-first` (API Gateway straight into SQS). */
  public readonly ingress: IngressName;
  /** `unordered` (a standard queue) or `per-entity` (FIFO queues, one message group per root entity). */
  public readonly ordering: OrderingName;
  /** The verifying Lambda; undefined with `queue-first`, which has none. */
  public readonly receiverFunction?: NodejsFunction;
  /** Undefined with `queue-first`. */
  public readonly receiverLogGroup?: logs.LogGroup;
  /** Undefined with `queue-first`. */
  public readonly receiverRole?: iam.Role;
  /** queue-first only: the role API Gateway sends to the queue with (SendMessage on that queue only). */
  public readonly gatewayQueueRole?: iam.Role;
  /** The queue accepted webhooks wait in for the consumer. */
  public readonly queue: sqs.IQueue;
  /** Undefined with `existingQueueObj` or `deployDeadLetterQueue: false`. */
  public readonly deadLetterQueue?: sqs.Queue;
  /** Undefined unless `enableWaf`. */
  public readonly firewall?: WebhookFirewall;
  /** The consumer timeout the queue's visibility timeout was derived from; the consumer must use it. */
  public readonly consumerTimeout: Duration;
  /** What the door accepts; the consumer takes the same. */
  public readonly settings: ReceiverSettings;
  /** The `environmentName` prop: a metric dimension and `ENVIRONMENT_NAME` on the Lambdas. */
  public readonly environmentName?: string;
  /** How long the receiver's logs are kept; `FluentWebhooks` gives the consumer the same. */
  public readonly logRetention: logs.RetentionDays;
  /**
   * `https://<api>.execute-api.<region>.amazonaws.com/<stage>/<secret>/fluent/<route>` with the placeholders
   * left in: the secret never appears in outputs.
   */
  public readonly webhookUrlTemplate: string;
  /** Who may send to the queue: the verifying Lambda's role, `queueSenderArns`, and {@link allowSendingToQueue}'s. */
  private readonly queueSenderArns: string[] = [];
  /** Who may read both queues: `queueReaderArns` and {@link allowReadingFromQueue}'s (the consumer's role). */
  private readonly queueReaderArns: string[] = [];

  public constructor(scope: Construct, id: string, props: FluentWebhookReceiverProps) {
    super(scope, id);
    validateFluentWebhookReceiverProps(props);
    this.settings = props.settings;
    if (this.settings.allowList.accountIds === '*') {
      Annotations.of(this).addWarningV2(
        EVERY_ACCOUNT_WARNING_ID,
        'accountIds is *: events signed for ANY Fluent account are accepted and handled. Use this for trying things out only; list your Fluent account ids before going live.',
      );
    }
    this.environmentName = props.environmentName;
    this.logRetention = props.logRetention ?? defaultLogRetention();
    this.consumerTimeout = props.consumerTimeout ?? defaultConsumerTimeout();
    this.ingress = props.ingress ?? DEFAULT_INGRESS;
    this.ordering = props.ordering ?? DEFAULT_ORDERING;
    const queueFirst = this.ingress === Ingress.QUEUE_FIRST;

    if (props.existingQueueObj !== undefined) {
      this.queue = props.existingQueueObj;
    } else {
      // FIFO queues get ids of their own: SQS cannot turn one kind into the other, and with its own id each kind's
      // queues stay (retained, with their messages) while the other kind's are created; see "Switching the ordering".
      const fifo = this.ordering === Ordering.PER_ENTITY;
      const kind = (queueProps: sqs.QueueProps): sqs.QueueProps => (fifo ? fifoQueueProps(queueProps) : queueProps);
      this.deadLetterQueue =
        props.deployDeadLetterQueue === false
          ? undefined
          : new sqs.Queue(
              this,
              fifo ? 'FifoDeadLetterQueue' : 'DeadLetterQueue',
              kind({ ...defaultDeadLetterQueueProps(), ...props.deadLetterQueueProps }),
            );
      this.queue = new sqs.Queue(this, fifo ? 'FifoQueue' : 'Queue', {
        ...kind({ ...defaultQueueProps(minimumVisibilityTimeout(this.consumerTimeout)), ...props.queueProps }),
        deadLetterQueue:
          this.deadLetterQueue === undefined
            ? undefined
            : { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT },
      });
    }

    let integration: apigateway.Integration;
    if (queueFirst) {
      this.gatewayQueueRole = createGatewayQueueRole(this, 'GatewayQueueRole', this.queue);
      integration = sqsSendMessageIntegration(this.queue, this.gatewayQueueRole);
      this.queueSenderArns.push(this.gatewayQueueRole.roleArn);
    } else {
      const receiverLogGroup = new logs.LogGroup(this, 'ReceiverLogGroup', {
        retention: this.logRetention,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const receiverRole = this.createReceiverRole(receiverLogGroup);
      const receiverFunction = this.createReceiverFunction(
        props.receiverFunctionProps ?? {},
        receiverRole,
        receiverLogGroup,
      );
      this.receiverLogGroup = receiverLogGroup;
      this.receiverRole = receiverRole;
      this.queueSenderArns.push(receiverRole.roleArn);
      this.receiverFunction = receiverFunction;
      integration = lambdaProxyIntegration(receiverFunction);
    }
    this.queueSenderArns.push(...(props.queueSenderArns ?? []));
    this.queueReaderArns.push(...(props.queueReaderArns ?? []));
    this.protectQueues(props);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogGroup', {
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stageName = props.stageName ?? DEFAULT_STAGE_NAME;
    const throttling = defaultThrottling();
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: props.environmentName === undefined ? 'fluent-webhooks' : `fluent-webhooks-${props.environmentName}`,
      description: queueFirst
        ? 'Receives Fluent Commerce webhooks: one POST method under a secret path, straight into SQS; the consumer verifies the signature.'
        : 'Receives Fluent Commerce webhooks: one POST method under a secret path; the Lambda behind it verifies the signature.',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      binaryMediaTypes: ['*/*'],
      ...(props.apiGatewayCloudWatchRole === false
        ? { cloudWatchRole: false }
        : { cloudWatchRole: true, cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN }),
      deployOptions: {
        stageName,
        throttlingRateLimit: props.throttlingRateLimit ?? throttling.rateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit ?? throttling.burstLimit,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
      },
    });
    addGatewayResponses(this.api);
    this.executionLogGroup = new logs.LogGroup(this, 'ExecutionLogGroup', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${stageName}`,
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The group must exist before the stage can log anything, or API Gateway creates it first and the deploy fails.
    this.api.deploymentStage.node.addDependency(this.executionLogGroup);

    const secrets = livePathSecrets(props);
    this.pathSecretFingerprints = secrets.map(pathSecretFingerprint);
    this.webhookResources = secrets.map((secret) => this.addWebhookResource(secret));
    this.webhookMethods = this.webhookResources.map((resource) =>
      resource.addMethod('POST', integration, {
        authorizationType: apigateway.AuthorizationType.NONE,
        operationName: 'ReceiveFluentWebhook',
        ...(queueFirst ? { methodResponses: queueFirstMethodResponses() } : {}),
      }),
    );
    // Validation guarantees at least one secret.
    this.webhookResource = this.webhookResources[0] as apigateway.Resource;
    this.webhookMethod = this.webhookMethods[0] as apigateway.Method;
    // API Gateway may invoke the Lambda for POSTs on this stage of this API, whose only POST methods are the secret
    // paths'. Scoped to the stage rather than to each method: the statement holds no secret, and it stays the same
    // while secrets are added and removed, so a rotation never leaves a method without permission.
    this.receiverFunction?.addPermission('InvokeFromWebhookStage', {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: this.api.arnForExecuteApi('POST', '/*', this.api.deploymentStage.stageName),
    });
    this.webhookUrlTemplate = `${this.api.url}${SECRET_PLACEHOLDER}/${FLUENT_PATH_SEGMENT}/${ROUTE_PLACEHOLDER}`;

    if (props.enableWaf === true) {
      this.firewall = new WebhookFirewall(this, 'Firewall', {
        stage: this.api.deploymentStage,
        pathPrefixes: secrets.map((secret) => secretPathPrefix(stageName, secret)),
        rateLimit: props.wafRateLimit ?? defaultWafRateLimit(),
      });
    }
    acknowledgeReceiverFindings(this);
  }

  /**
   * Lets one more principal send to the queue (the queue's policy denies everyone else): for example the role API
   * Gateway uses in a queue-first integration. Has no effect on a brought-in queue.
   */
  public allowSendingToQueue(principalArn: string): void {
    this.queueSenderArns.push(principalArn);
  }

  /**
   * Lets one more principal read the queue and the dead-letter queue (their policies deny everyone else): the
   * consumer's role, which `FluentWebhooks` adds. A receiver that creates its queues needs at least one reader, or
   * synthesis fails: composing the parts yourself, call this with `consumer.consumerRole.roleArn`. Has no effect on a
   * brought-in queue.
   */
  public allowReadingFromQueue(principalArn: string): void {
    this.queueReaderArns.push(principalArn);
  }

  /**
   * Only the listed senders may put messages on the queue, and nobody on the dead-letter queue: SQS moves messages
   * there itself, which no resource policy blocks. Only the listed readers may receive from either queue (or hide or
   * delete a message): the messages hold webhook bodies and signatures for days. The DLQ takes redrives only from
   * its source queue when that queue has a name to build its ARN from (CloudFormation cannot refer to it otherwise:
   * each queue would need the other's ARN first); with a generated name, the deny on SendMessage still keeps every
   * principal from writing to it.
   */
  private protectQueues(props: FluentWebhookReceiverProps): void {
    if (!(this.queue instanceof sqs.Queue)) return;
    const senders = this.queueSenderArns;
    const readers = this.queueReaderArns;
    for (const queue of [this.queue, this.deadLetterQueue]) {
      if (queue !== undefined) denyReadingToAllBut(queue, readers);
    }
    this.node.addValidation({
      validate: () =>
        readers.length > 0
          ? []
          : [
              'Nobody may read the queue: its policy denies sqs:ReceiveMessage to all but the consumer and queueReaderArns. Call receiver.allowReadingFromQueue(consumer.consumerRole.roleArn) (FluentWebhooks does), or list the reading roles in queueReaderArns.',
            ],
    });
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheReceiverSends',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: { ArnNotLike: { 'aws:PrincipalArn': Lazy.list({ produce: () => senders }) } },
      }),
    );
    this.deadLetterQueue?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'NobodySendsToTheDeadLetterQueue',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
      }),
    );
    const queueName = props.queueProps?.queueName;
    if (this.deadLetterQueue !== undefined && queueName !== undefined && !Token.isUnresolved(queueName)) {
      const sourceArn = Stack.of(this).formatArn({ service: 'sqs', resource: queueName });
      (this.deadLetterQueue.node.defaultChild as sqs.CfnQueue).redriveAllowPolicy = {
        redrivePermission: 'byQueue',
        sourceQueueArns: [sourceArn],
      };
    }
  }

  /** The environment every Lambda of the receiver reads its settings from. */
  public settingsEnvironment(): Record<string, string> {
    const env = settingsToEnv(this.settings);
    if (this.environmentName !== undefined) env[RuntimeEnv.ENVIRONMENT_NAME] = this.environmentName;
    return env;
  }

  /**
   * `/<secret>/fluent/{route+}` for one secret. Construct ids (and so logical ids, which show in deploy output and
   * CloudFormation events) hold the secret's fingerprint, never the secret. Not its position: a tree keeps its
   * logical id while other secrets come and go, so removing the old secret deletes only its tree. Were ids by
   * position, the next secret would move into the old one's id, and CloudFormation would try to create its path
   * before deleting the old one, which API Gateway refuses as a duplicate.
   */
  private addWebhookResource(secret: string): apigateway.Resource {
    const root = this.api.root;
    const secretResource = new apigateway.Resource(root, `Secret${pathSecretFingerprint(secret)}`, {
      parent: root,
      pathPart: secret,
    });
    const fluentResource = new apigateway.Resource(secretResource, 'Fluent', {
      parent: secretResource,
      pathPart: FLUENT_PATH_SEGMENT,
    });
    return new apigateway.Resource(fluentResource, 'Route', { parent: fluentResource, pathPart: '{route+}' });
  }

  /** Only what the Lambda does: write its own log group, send to this queue (and use its key, if customer-managed). */
  private createReceiverRole(logGroup: logs.LogGroup): iam.Role {
    const role = new iam.Role(this, 'ReceiverRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Verifying Lambda of the Fluent webhook receiver: write its logs, send to its queue.',
    });
    logGroup.grantWrite(role);
    allowSendMessage(role, this.queue);
    return role;
  }

  private createReceiverFunction(
    overrides: Partial<NodejsFunctionProps>,
    role: iam.Role,
    logGroup: logs.LogGroup,
  ): NodejsFunction {
    return createBundledFunction(this, 'ReceiverFunction', repositoryBundleSource(RECEIVER_ENTRY), {
      defaults: defaultReceiverFunctionProps(),
      overrides,
      wiring: {
        role,
        logGroup,
        environment: {
          ...this.settingsEnvironment(),
          [RuntimeEnv.QUEUE_URL]: this.queue.queueUrl,
          // Only when it changes what the receiver does, so an unordered receiver's environment stays as it was.
          ...(this.ordering === Ordering.PER_ENTITY ? { [RuntimeEnv.ORDERING]: this.ordering } : {}),
        },
      },
    });
  }
}
