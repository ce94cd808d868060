import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { UsageError } from '../command';

/** The parts of an SQS queue ARN (`arn:<partition>:sqs:<region>:<account>:<name>`). */
export interface QueueArn {
  readonly arn: string;
  readonly region: string;
  readonly accountId: string;
  readonly name: string;
}

const QUEUE_ARN_PATTERN = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;

/** Splits a queue ARN, or throws a {@link UsageError} naming the flag and showing the expected shape. */
export function parseQueueArn(arn: string, flag: string): QueueArn {
  const match = QUEUE_ARN_PATTERN.exec(arn.trim());
  if (match === null) {
    throw new UsageError(
      `--${flag} ${arn}: not an SQS queue ARN; expected arn:aws:sqs:<region>:<12-digit account>:<queue name> (the stack outputs list the queue ARNs and URLs).`,
    );
  }
  const [, , region, accountId, name] = match as unknown as [string, string, string, string, string];
  return { arn: match[0], region, accountId, name };
}

/** Checks that a flag holds an http(s) URL (a queue URL or an endpoint), or throws a {@link UsageError}. */
export function parseHttpUrl(value: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new UsageError(
      `--${flag} ${value}: not a URL; expected something like https://sqs.eu-west-1.amazonaws.com/123456789012/my-queue.`,
      {
        cause: error,
      },
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`--${flag} ${value}: use an http or https URL.`);
  }
  return url;
}

/** The queue's ARN, read with GetQueueAttributes (what move tasks need when the user has only the URL). */
export async function queueArnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`SQS returned no QueueArn for ${queueUrl}.`);
  return arn;
}

/** The queue's URL, read with GetQueueUrl (what receive and send need when the user has only the ARN). */
export async function queueUrlOf(sqs: SQSClient, arn: QueueArn): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new GetQueueUrlCommand({ QueueName: arn.name, QueueOwnerAWSAccountId: arn.accountId }),
  );
  if (QueueUrl === undefined) throw new Error(`SQS returned no URL for ${arn.arn}.`);
  return QueueUrl;
}
