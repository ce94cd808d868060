/** What the CLI was doing when SQS answered with an error; shapes the advice in the message. */
export interface SqsErrorContext {
  /** The SQS API action, for example `StartMessageMoveTask`. */
  readonly action: string;
  /** The queue (ARN or URL) the action addressed. */
  readonly queue: string;
  /** The IAM actions the caller needs for this step, listed when access is denied. */
  readonly permissions: readonly string[];
  /** The region the client used, named when a queue cannot be found. */
  readonly region: string;
}

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'AuthorizationError']);
const NOT_FOUND = new Set([
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'ResourceNotFoundException',
]);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
]);
const UNKNOWN_ACTION = new Set(['InvalidAction', 'UnknownOperationException']);
/** How SQS refuses a move task whose source is no DLQ, or whose source already has a task running. */
const MOVE_TASK_REFUSALS = new Set(['UnsupportedOperation', 'InvalidParameterValue']);
const KMS_PROBLEMS = new Set([
  'KmsAccessDenied',
  'KmsDisabled',
  'KmsNotFound',
  'KmsInvalidState',
  'KmsInvalidKeyUsage',
]);

/**
 * Turns an error from the SQS client into one sentence that says what went wrong and what to do.
 * Never includes message bodies: the SDK's errors carry none.
 */
export function explainSqsError(error: unknown, context: SqsErrorContext): string {
  const { name, message, code } = describeError(error);
  const failed = `${context.action} on ${context.queue} failed`;
  if (ACCESS_DENIED.has(name)) {
    return `${failed}: access denied (${message}). The caller needs ${context.permissions.join(', ')} on that queue (and kms:Decrypt / kms:GenerateDataKey on its key if it uses a customer-managed KMS key).`;
  }
  if (NOT_FOUND.has(name)) {
    return `${failed}: the queue does not exist in region ${context.region}. Check the ARN or URL (the stack outputs list them) and --region.`;
  }
  if (MOVE_TASK_REFUSALS.has(name) && context.action === 'StartMessageMoveTask') {
    return `${failed}: ${message.replace(/\.$/, '')}. The source must be the dead-letter queue of another SQS queue (named in that queue's redrive policy), and only one move task may run per queue at a time; see --status.`;
  }
  if (UNKNOWN_ACTION.has(name) || /unknown action|not implemented/i.test(message)) {
    return `${failed}: this SQS endpoint does not implement ${context.action} (local emulators such as fauxqs do not). Use --mode copy.`;
  }
  if (name === 'CredentialsProviderError') {
    return `${failed}: no AWS credentials found. Set AWS_PROFILE (after aws sso login) or the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables.`;
  }
  if (BAD_CREDENTIALS.has(name)) {
    return `${failed}: the AWS credentials were refused (${name}); they may have expired. Sign in again (aws sso login) and retry.`;
  }
  if (KMS_PROBLEMS.has(name)) {
    return `${failed}: the queue's KMS key could not be used (${name}: ${message}). The caller needs kms:Decrypt and kms:GenerateDataKey on it, and the key must be enabled.`;
  }
  if (name === 'RequestThrottled' || name === 'ThrottlingException') {
    return `${failed}: SQS throttled the request. Wait a minute and retry, or lower --max-per-second.`;
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') {
    return `${failed}: cannot reach the SQS endpoint (${code}). For the local runner, start it with npm start and pass its --endpoint.`;
  }
  return `${failed}: ${name}: ${message}`;
}

function describeError(error: unknown): { name: string; message: string; code: string | undefined } {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), code: undefined };
  const code = (error as NodeJS.ErrnoException).code ?? causeCode(error);
  return { name: error.name, message: error.message, code };
}

/** Network errors reach the SDK caller wrapped, with the socket error as the cause or in an AggregateError. */
function causeCode(error: Error): string | undefined {
  const cause = error.cause as NodeJS.ErrnoException | undefined;
  if (cause?.code !== undefined) return cause.code;
  if (error instanceof AggregateError) {
    return (error.errors as NodeJS.ErrnoException[]).find((inner) => inner.code !== undefined)?.code;
  }
  return undefined;
}
