import type { Duration } from 'aws-cdk-lib';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ReceiverSettings } from '../../lambdas/core/settings';
import type { IngressName } from '../../lambdas/contract/ingress';
import type { OrderingName } from '../../lambdas/contract/ordering';

/** The receiver's props: what it accepts, its secret path, its API, its queue and its verifying Lambda. */
export interface FluentWebhookReceiverProps {
  /**
   * What the verifying Lambda accepts: Fluent public keys, signature policy and the account (and retailer)
   * allow-list. Parse them with `parseReceiverSettings`; they reach the Lambda as environment variables.
   */
  readonly settings: ReceiverSettings;
  /**
   * The secret path segment: webhooks are accepted only under `/<secret>/fluent/`. At least 32 URL-safe
   * characters; print one with `npx fluent-webhook secret`. Never commit it. It is part of the synthesized
   * template and of the API's configuration, so treat `cdk.out` as sensitive. Give exactly one of `pathSecret`
   * and `pathSecrets`.
   * @default - none: `pathSecrets` must be given
   */
  readonly pathSecret?: string;
  /**
   * All live path secrets (1 to 3, each as `pathSecret`, no repeats), the current one first: for rotating the
   * secret without losing a webhook. Each gets its own `/<secret>/fluent/{route+}` with one POST method into the
   * same verifying Lambda, which logs the secret's fingerprint (`pathSecretFingerprint`, never the secret) so you
   * can see when the old one stops receiving. Excludes `pathSecret`.
   * @default - none: `pathSecret` must be given
   */
  readonly pathSecrets?: readonly string[];
  /**
   * Name of the environment (`sandbox`, `production`): set as `ENVIRONMENT_NAME` on the Lambdas, where it
   * becomes a metric dimension so environments sharing an account keep their metrics apart.
   * @default - no environment dimension
   */
  readonly environmentName?: string;
  /**
   * The API Gateway stage, the first segment of the webhook URL's path.
   * @default 'webhooks'
   */
  readonly stageName?: string;
  /**
   * Steady-state requests per second the stage lets through.
   * @default 500
   */
  readonly throttlingRateLimit?: number;
  /**
   * Requests the stage lets through at once (token bucket size).
   * @default 1000
   */
  readonly throttlingBurstLimit?: number;
  /**
   * How long the API's access logs and the verifying Lambda's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Whether to create the account-level role that lets API Gateway write execution logs (an account and region
   * setting shared by all APIs; the role is retained when the stack is deleted). Turn off when the account has one.
   * @default true
   */
  readonly apiGatewayCloudWatchRole?: boolean;
  /**
   * Overrides for the verifying Lambda: `memorySize`, `timeout` (at most 29 s), `reservedConcurrentExecutions`,
   * `runtime` (Node.js 22 or 24), `description`, extra `environment`, `bundling` tweaks. The entry, handler, role,
   * log group and the environment the handler reads are wiring and always win.
   * @default - 512 MB, 10 s timeout, Node.js 24 on arm64, no reserved concurrency, minified with source maps
   */
  readonly receiverFunctionProps?: Partial<NodejsFunctionProps>;
  /**
   * What stands at the door. `verify-first`: the verifying Lambda checks signature and allow-list and answers
   * 401/403 before anything is queued. `queue-first`: no Lambda at the door; API Gateway sends every request on the
   * secret paths straight to the queue (an SQS service integration through a role that may send to that queue only)
   * and answers 200 once SQS has it, and the consumer, the only judge, drops forgeries. Same secret paths, throttling,
   * WAF and access logs in both. Excludes `receiverFunctionProps` with `queue-first`.
   * @default 'verify-first'
   */
  readonly ingress?: IngressName;
  /**
   * `per-entity`: the events of one root entity (account, `rootEntityType`, `rootEntityRef`; the entity's own type
   * and ref without a root) are handled one after another, in the order they were accepted; different entities in
   * parallel. The queue and the dead-letter queue are then FIFO (construct ids `FifoQueue` and
   * `FifoDeadLetterQueue`): the verifying Lambda sets each message's group to that entity and its deduplication id
   * to the event id. Costs more and carries less (see the docs' operations page): keep `unordered` unless handlers
   * need the order. Not with `queue-first`: API Gateway cannot compute the group from the body exactly. Changing it
   * on a deployed stack creates new queues beside the old ones: drain them first (operations page, "Switching the
   * ordering").
   * @default 'unordered'
   */
  readonly ordering?: OrderingName;
  /**
   * Bring your own queue. You then own its encryption, message size (keep 1 MiB), retention, visibility timeout
   * and dead-letter queue. Excludes `queueProps`, `deadLetterQueueProps`, `deployDeadLetterQueue`, `maxReceiveCount`.
   * @default - a new queue from `defaultQueueProps()` and `queueProps`
   */
  readonly existingQueueObj?: sqs.IQueue;
  /**
   * Overrides for the new queue, for example `encryption: QueueEncryption.KMS` with `encryptionMasterKey`, or
   * `removalPolicy`. `maxMessageSizeBytes` stays 1 MiB, `enforceSSL` stays on, the dead-letter queue is wired.
   * @default - `defaultQueueProps()`: SSE-SQS, TLS only, 1 MiB, 14 days, visibility 6x `consumerTimeout`
   */
  readonly queueProps?: sqs.QueueProps;
  /**
   * Whether the queue gets a dead-letter queue through a redrive policy.
   * @default true
   */
  readonly deployDeadLetterQueue?: boolean;
  /**
   * Overrides for the dead-letter queue.
   * @default - `defaultDeadLetterQueueProps()`: SSE-SQS, TLS only, 1 MiB, 14 days
   */
  readonly deadLetterQueueProps?: sqs.QueueProps;
  /**
   * Receives of a message before SQS moves it to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * The timeout of the Lambda that consumes the queue. The queue's visibility timeout is set to 6x this, as Lambda
   * requires for SQS event sources, so the queue is ready for the consumer before the consumer exists.
   * @default Duration.seconds(30)
   */
  readonly consumerTimeout?: Duration;
  /**
   * Put an AWS WAF web ACL on the stage that admits only POSTs under `/<stage>/<secret>/fluent/` (for each live
   * secret) and blocks source IPs over `wafRateLimit`. Costs a monthly fee per web ACL and rule, plus requests.
   * @default false
   */
  readonly enableWaf?: boolean;
  /**
   * WAF rate limit: requests per source IP per 5 minutes, counting only requests under a live secret path (so
   * traffic without the secret cannot use up the allowance of Fluent's shared addresses). Fluent sends from a few
   * shared addresses: keep this above your peak webhook rate. Only with `enableWaf`.
   * @default 10000
   */
  readonly wafRateLimit?: number;
  /**
   * IAM principals (role ARNs as `aws:PrincipalArn` sees them; `*` wildcards allowed) that may send to the new
   * queue besides the verifying Lambda: the roles that run `fluent-webhook redrive` (an SQS move task and copy mode
   * both send with the caller's identity). The queue's resource policy denies `sqs:SendMessage` to every other
   * principal in and outside the account, so nothing unverified can be queued. Not with `existingQueueObj`: add
   * the statement to your queue's policy yourself (see the security docs).
   * @default - none: only the verifying Lambda sends
   */
  readonly queueSenderArns?: readonly string[];
  /**
   * IAM principals (role ARNs as `aws:PrincipalArn` sees them; `*` wildcards allowed) that may read the new queue
   * and dead-letter queue (`sqs:ReceiveMessage`, `sqs:ChangeMessageVisibility`, `sqs:DeleteMessage`) besides the
   * consumer: the roles that run `fluent-webhook redrive`, which receives from the dead-letter queue with the
   * caller's identity (list them in `queueSenderArns` too). Both queues' resource policies deny reading to every
   * other principal in and outside the account: the messages hold webhook bodies and signatures for up to 14 days.
   * The consumer's role is added with `receiver.allowReadingFromQueue(consumer.consumerRole.roleArn)`
   * (`FluentWebhooks` does it). Not with `existingQueueObj`: add the statement to your queues' policies yourself (see the security docs).
   * @default - none: only the consumer reads
   */
  readonly queueReaderArns?: readonly string[];
}
