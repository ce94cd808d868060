import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ConfigurationProblem } from '../../lambdas/core/errors';
import { throwIfProblems } from '../../lambdas/core/configuration-problems';
import { MAX_SQS_MESSAGE_BYTES } from '../../lambdas/core/constants';
import { deduplicationWindowProblem, settingsToEnv } from '../../lambdas/core/settings';
import { DEFAULT_STAGE_NAME, FLUENT_PATH_SEGMENT, QUEUE_RETENTION } from './receiver-defaults';
import type { FluentWebhookReceiverProps } from './receiver-props';
import { defaultConsumerTimeout, VISIBILITY_TIMEOUT_FACTOR } from '../consumer/consumer-defaults';
import { Ingress, ingressProblem } from '../../lambdas/contract/ingress';
import { FIFO_QUEUE_SUFFIX, Ordering, orderingIngressProblem, orderingProblem } from '../../lambdas/contract/ordering';
import { pathSecretListProblems, pathSecretProblems } from '../../lambdas/contract/path-secret-rules';

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
/** API Gateway's integration timeout: a slower Lambda answers nobody. */
const MAX_RECEIVER_TIMEOUT_SECONDS = 29;
const MAX_LAMBDA_TIMEOUT_SECONDS = 900;
/** Lambda's limit on all environment variables of one function together. */
const MAX_LAMBDA_ENVIRONMENT_BYTES = 4096;
/** Room left in the environment for the queue URL and the variables the construct adds itself. */
const RESERVED_ENVIRONMENT_BYTES = 1024;
/** AWS WAF: a byte-match search string is at most 200 bytes; rate-based limits run from 10 to 2,000,000,000. */
const MAX_WAF_SEARCH_BYTES = 200;
const MIN_WAF_RATE_LIMIT = 10;
const MAX_WAF_RATE_LIMIT = 2_000_000_000;
/** Properties of the verifying Lambda that the construct sets itself. */
const WIRED_FUNCTION_PROPS = ['entry', 'handler', 'code', 'role', 'logGroup', 'logRetention'] as const;
const SUPPORTED_RUNTIMES = [lambda.Runtime.NODEJS_22_X.name, lambda.Runtime.NODEJS_24_X.name];

/**
 * Checks the props before anything is built and throws one {@link ConfigurationError} that lists every
 * problem, each naming the prop and saying how to fix it.
 */
export function validateFluentWebhookReceiverProps(props: FluentWebhookReceiverProps): void {
  throwIfProblems('Invalid FluentWebhookReceiver configuration', findReceiverPropProblems(props));
}

/** Props whose settings may have failed to parse already (the stack reports those problems itself). */
export type ReceiverPropsToCheck = Omit<FluentWebhookReceiverProps, 'settings'> &
  Partial<Pick<FluentWebhookReceiverProps, 'settings'>>;

/** Every problem with the props, each naming its prop; empty when they are fine. The stack merges these with its own. */
export function findReceiverPropProblems(props: ReceiverPropsToCheck): ConfigurationProblem[] {
  return [
    ...pathSecretPropProblems(props),
    ...stageProblems(props),
    ...throttlingProblems(props),
    ...queueProblems(props),
    ...functionProblems(props),
    ...environmentProblems(props),
    ...wafProblems(props),
    ...ingressProblems(props),
    ...orderingProblems(props),
    ...queuePrincipalProblems('queueSenderArns', props.queueSenderArns, props),
    ...queuePrincipalProblems('queueReaderArns', props.queueReaderArns, props),
  ];
}

/**
 * `aws:PrincipalArn` holds ARNs; anything else in a list of the queues' senders or readers would let nobody (or,
 * mistyped, the wrong role) in.
 */
function queuePrincipalProblems(
  setting: 'queueSenderArns' | 'queueReaderArns',
  arns: readonly string[] | undefined,
  { existingQueueObj }: ReceiverPropsToCheck,
): ConfigurationProblem[] {
  if (arns === undefined) return [];
  if (existingQueueObj !== undefined) {
    return [
      {
        setting,
        message:
          'applies to the queues the construct creates; with existingQueueObj, put the deny statements on your queues yourself.',
      },
    ];
  }
  return arns
    .filter((arn) => !Token.isUnresolved(arn) && !/^arn:aws[a-z-]*:(iam|sts)::(\d{12}|\*):/.test(arn))
    .map((arn) => ({
      setting,
      message: `holds "${arn}", which is not an IAM principal ARN (arn:aws:iam::<account>:role/<name>, * wildcards allowed).`,
    }));
}

/** The live path secrets of props that give `pathSecret` or `pathSecrets`, the current one first. */
export function livePathSecrets(props: Pick<ReceiverPropsToCheck, 'pathSecret' | 'pathSecrets'>): readonly string[] {
  return props.pathSecrets ?? (props.pathSecret === undefined ? [] : [props.pathSecret]);
}

function pathSecretPropProblems({ pathSecret, pathSecrets }: ReceiverPropsToCheck): ConfigurationProblem[] {
  if (pathSecrets === undefined) return pathSecretProblems(pathSecret);
  if (pathSecret !== undefined) {
    return [
      {
        setting: 'pathSecrets',
        message:
          'and pathSecret exclude each other: give one secret as pathSecret, or all live secrets (the current one first) as pathSecrets.',
      },
    ];
  }
  return pathSecretListProblems(pathSecrets);
}

function stageProblems({ stageName }: ReceiverPropsToCheck): ConfigurationProblem[] {
  if (stageName === undefined || STAGE_NAME.test(stageName)) return [];
  return [
    { setting: 'stageName', message: `"${stageName}" may hold only A-Z, a-z, 0-9, _ and - (1 to 128 characters).` },
  ];
}

function throttlingProblems({
  throttlingRateLimit: rate,
  throttlingBurstLimit: burst,
}: ReceiverPropsToCheck): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) {
    problems.push({
      setting: 'throttlingRateLimit',
      message: `is ${rate}; use a number of requests per second above 0 (at 0 API Gateway refuses every webhook).`,
    });
  }
  if (burst !== undefined && !(Number.isInteger(burst) && burst >= 1)) {
    problems.push({
      setting: 'throttlingBurstLimit',
      message: `is ${burst}; use a whole number of requests of at least 1 (at 0 API Gateway refuses every webhook).`,
    });
  }
  return problems;
}

function queueProblems(props: ReceiverPropsToCheck): ConfigurationProblem[] {
  const { existingQueueObj, queueProps, deadLetterQueueProps, deployDeadLetterQueue, maxReceiveCount } = props;
  const problems: ConfigurationProblem[] = [];
  if (existingQueueObj !== undefined) {
    const clashing = { queueProps, deadLetterQueueProps, deployDeadLetterQueue, maxReceiveCount };
    for (const [name, value] of Object.entries(clashing)) {
      if (value !== undefined)
        problems.push({
          setting: name,
          message:
            'and existingQueueObj exclude each other: an existing queue brings its own settings and dead-letter queue.',
        });
    }
  }
  if (deployDeadLetterQueue === false) {
    if (deadLetterQueueProps !== undefined)
      problems.push({
        setting: 'deadLetterQueueProps',
        message: 'is set but deployDeadLetterQueue is false; drop one of them.',
      });
    if (maxReceiveCount !== undefined)
      problems.push({
        setting: 'maxReceiveCount',
        message: 'is set but deployDeadLetterQueue is false; drop one of them.',
      });
  }
  if (
    maxReceiveCount !== undefined &&
    !(Number.isInteger(maxReceiveCount) && maxReceiveCount >= 1 && maxReceiveCount <= 1000)
  ) {
    problems.push({ setting: 'maxReceiveCount', message: `is ${maxReceiveCount}; use a whole number from 1 to 1000.` });
  }
  if (queueProps?.deadLetterQueue !== undefined) {
    problems.push({
      setting: 'queueProps.deadLetterQueue',
      message: 'is wired by the construct; use deadLetterQueueProps and maxReceiveCount instead.',
    });
  }
  for (const [name, queue] of [
    ['queueProps', queueProps],
    ['deadLetterQueueProps', deadLetterQueueProps],
  ] as const) {
    const size = queue?.maxMessageSizeBytes;
    if (size !== undefined && size !== MAX_SQS_MESSAGE_BYTES) {
      problems.push({
        setting: `${name}.maxMessageSizeBytes`,
        message: `is ${size}; it must stay ${MAX_SQS_MESSAGE_BYTES} (1 MiB), the size the receiver accepts.`,
      });
    }
    if (queue?.enforceSSL === false)
      problems.push({
        setting: `${name}.enforceSSL`,
        message: 'cannot be turned off: the queue refuses requests without TLS.',
      });
    if (queue?.encryption === sqs.QueueEncryption.UNENCRYPTED) {
      problems.push({ setting: `${name}.encryption`, message: 'cannot be UNENCRYPTED: webhooks hold business data.' });
    }
  }
  // SQS keeps a message's first enqueue time when it moves it to the DLQ: a DLQ that keeps messages for less time
  // than the queue deletes dead-lettered webhooks early, some at once.
  const queueRetention = (queueProps?.retentionPeriod ?? QUEUE_RETENTION).toSeconds();
  const deadLetterRetention = (deadLetterQueueProps?.retentionPeriod ?? QUEUE_RETENTION).toSeconds();
  if (deployDeadLetterQueue !== false && deadLetterRetention < queueRetention) {
    problems.push({
      setting: 'deadLetterQueueProps.retentionPeriod',
      message: `(${deadLetterRetention} s) is shorter than the queue's (${queueRetention} s); SQS counts a dead-lettered message's age from its first enqueue, so the DLQ must keep messages at least as long.`,
    });
  }
  // No message may outlive the record of its event: the longest a copy lives is the DLQ's retention from the first
  // enqueue. A brought-in queue's retention is not known here; the docs say to keep the window above it.
  const expiry = props.settings?.idempotencyExpirySeconds;
  if (existingQueueObj === undefined && expiry !== undefined) {
    const lifetime = deployDeadLetterQueue === false ? queueRetention : Math.max(queueRetention, deadLetterRetention);
    const problem = deduplicationWindowProblem(expiry, lifetime);
    if (problem !== undefined) problems.push(problem);
  }
  const consumerTimeout = (props.consumerTimeout ?? defaultConsumerTimeout()).toSeconds();
  if (consumerTimeout < 1 || consumerTimeout > MAX_LAMBDA_TIMEOUT_SECONDS) {
    problems.push({
      setting: 'consumerTimeout',
      message: `is ${consumerTimeout} s; Lambda allows 1 to ${MAX_LAMBDA_TIMEOUT_SECONDS} s.`,
    });
  }
  const visibility = queueProps?.visibilityTimeout?.toSeconds();
  const minimum = VISIBILITY_TIMEOUT_FACTOR * consumerTimeout;
  if (visibility !== undefined && visibility < minimum) {
    problems.push({
      setting: 'queueProps.visibilityTimeout',
      message: `is ${visibility} s; it must be at least ${VISIBILITY_TIMEOUT_FACTOR}x consumerTimeout (${minimum} s), or a record still being processed is delivered again. Leave it unset to derive it.`,
    });
  }
  return problems;
}

/** The door's mode: a known name, and no Lambda settings for a door without a Lambda. */
function ingressProblems({ ingress, receiverFunctionProps }: ReceiverPropsToCheck): ConfigurationProblem[] {
  const problem = ingressProblem('ingress', ingress);
  if (problem !== undefined) return [problem];
  if (ingress === Ingress.QUEUE_FIRST && receiverFunctionProps !== undefined) {
    return [
      {
        setting: 'receiverFunctionProps',
        message:
          'is set but ingress is queue-first, which has no verifying Lambda; drop it (or receiverReservedConcurrency) or use verify-first.',
      },
    ];
  }
  return [];
}

/** Per-entity ordering: a known name, a verifying Lambda to set the group, and queues of the matching kind. */
function orderingProblems({
  ordering,
  ingress,
  existingQueueObj,
  queueProps,
  deadLetterQueueProps,
}: ReceiverPropsToCheck): ConfigurationProblem[] {
  const problem = orderingProblem('ordering', ordering);
  if (problem !== undefined) return [problem];
  const perEntity = ordering === Ordering.PER_ENTITY;
  const problems: ConfigurationProblem[] = [];
  const withIngress = orderingIngressProblem('ordering', ordering, ingress);
  if (withIngress !== undefined) problems.push(withIngress);
  if (existingQueueObj !== undefined && existingQueueObj.fifo !== perEntity) {
    problems.push({
      setting: 'existingQueueObj',
      message: perEntity
        ? `is a standard queue, but ordering is per-entity, which needs a FIFO queue (its name ends with ${FIFO_QUEUE_SUFFIX}) with a FIFO dead-letter queue.`
        : 'is a FIFO queue, but ordering is unordered: the receiver would send without a message group and SQS would refuse every webhook. Set ordering to per-entity.',
    });
  }
  for (const [name, props] of [
    ['queueProps', queueProps],
    ['deadLetterQueueProps', deadLetterQueueProps],
  ] as const) {
    if (props?.fifo !== undefined && props.fifo !== perEntity) {
      problems.push({
        setting: `${name}.fifo`,
        message: `is ${props.fifo}, but the ordering setting decides the kind of queue: drop it and set ordering (per-entity for FIFO).`,
      });
    }
    if (props?.contentBasedDeduplication === true) {
      problems.push({
        setting: `${name}.contentBasedDeduplication`,
        message:
          'cannot be true: the receiver deduplicates on the event id, which content-based deduplication would replace with a hash of the body.',
      });
    }
  }
  return problems;
}

function wiredFunctionPropProblems(props: ReceiverPropsToCheck): ConfigurationProblem[] {
  const fn = props.receiverFunctionProps ?? {};
  return WIRED_FUNCTION_PROPS.filter((name) => fn[name] !== undefined).map((name) => ({
    setting: `receiverFunctionProps.${name}`,
    message: 'is set by the construct; leave it out (log retention: logRetention).',
  }));
}

function functionProblems(props: ReceiverPropsToCheck): ConfigurationProblem[] {
  const fn = props.receiverFunctionProps ?? {};
  const problems = wiredFunctionPropProblems(props);
  const timeout = fn.timeout?.toSeconds();
  if (timeout !== undefined && (timeout < 1 || timeout > MAX_RECEIVER_TIMEOUT_SECONDS)) {
    problems.push({
      setting: 'receiverFunctionProps.timeout',
      message: `is ${timeout} s; use 1 to ${MAX_RECEIVER_TIMEOUT_SECONDS} s, since API Gateway stops waiting after ${MAX_RECEIVER_TIMEOUT_SECONDS} s.`,
    });
  }
  const reserved = fn.reservedConcurrentExecutions;
  if (reserved !== undefined && !Token.isUnresolved(reserved) && !(Number.isInteger(reserved) && reserved >= 1)) {
    problems.push({
      setting: 'receiverFunctionProps.reservedConcurrentExecutions',
      message: `is ${reserved}; use a whole number of at least 1 (0 would refuse every webhook), or leave it unset.`,
    });
  }
  if (fn.runtime !== undefined && !SUPPORTED_RUNTIMES.includes(fn.runtime.name)) {
    problems.push({
      setting: 'receiverFunctionProps.runtime',
      message: `is ${fn.runtime.name}; use ${SUPPORTED_RUNTIMES.join(' or ')}.`,
    });
  }
  return problems;
}

function environmentProblems({ settings }: ReceiverPropsToCheck): ConfigurationProblem[] {
  if (settings === undefined) return [];
  const bytes = Object.entries(settingsToEnv(settings)).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value),
    0,
  );
  if (bytes <= MAX_LAMBDA_ENVIRONMENT_BYTES - RESERVED_ENVIRONMENT_BYTES) return [];
  return [
    {
      setting: 'settings',
      message: `take ${bytes} bytes of Lambda environment; at most ${MAX_LAMBDA_ENVIRONMENT_BYTES - RESERVED_ENVIRONMENT_BYTES} fit (Lambda allows 4 KB in all). Configure fewer public keys or account ids.`,
    },
  ];
}

function wafProblems(props: ReceiverPropsToCheck): ConfigurationProblem[] {
  if (props.enableWaf !== true) {
    return props.wafRateLimit === undefined
      ? []
      : [{ setting: 'wafRateLimit', message: 'is set but enableWaf is not true; enable the WAF or drop the limit.' }];
  }
  const problems: ConfigurationProblem[] = [];
  const limit = props.wafRateLimit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= MIN_WAF_RATE_LIMIT && limit <= MAX_WAF_RATE_LIMIT)) {
    problems.push({
      setting: 'wafRateLimit',
      message: `is ${limit}; AWS WAF takes a whole number of requests per 5 minutes from ${MIN_WAF_RATE_LIMIT} to ${MAX_WAF_RATE_LIMIT}.`,
    });
  }
  const longest = livePathSecrets(props).reduce((a, b) => (b.length > a.length ? b : a), '');
  const prefix = secretPathPrefix(props.stageName ?? DEFAULT_STAGE_NAME, longest);
  if (Buffer.byteLength(prefix) > MAX_WAF_SEARCH_BYTES) {
    problems.push({
      setting: 'stageName',
      message: `makes the WAF match string ${'`'}/<stage>/<secret>/${FLUENT_PATH_SEGMENT}/${'`'} ${Buffer.byteLength(prefix)} bytes long; AWS WAF allows ${MAX_WAF_SEARCH_BYTES}. Use a shorter one.`,
    });
  }
  return problems;
}

/** The path every webhook request starts with, as the client sends it and WAF sees it. */
export function secretPathPrefix(stageName: string, pathSecret: string): string {
  return `/${stageName}/${pathSecret}/${FLUENT_PATH_SEGMENT}/`;
}
