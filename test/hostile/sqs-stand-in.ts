import type { SendMessageCommand, SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { MAX_SQS_MESSAGE_BYTES } from '../../lambdas/core';
import { isSqsSafeText } from '../../lambdas/contract/queue-message';

/** SQS's own limit on message attributes per message. */
const MAX_MESSAGE_ATTRIBUTES = 10;

/**
 * An in-process SQS stand-in for the verifying handler: records every SendMessage and refuses, as SQS would,
 * a message SQS would refuse (empty or non-XML body, empty or non-XML attribute values, too many attributes,
 * more than 1 MiB). Such a refusal would turn into a 503, so a test that forbids 5xx for bad input catches it.
 */
export class SqsStandIn {
  public readonly sent: SendMessageCommandInput[] = [];

  /** The handler only calls `send`; the cast keeps the stand-in free of the SDK's middleware stack. */
  public asClient(): SQSClient {
    return { send: (command: SendMessageCommand) => this.send(command) } as unknown as SQSClient;
  }

  public async send(command: SendMessageCommand): Promise<{ MessageId: string }> {
    const input = command.input;
    const problem = sqsRefusal(input);
    if (problem !== undefined) throw Object.assign(new Error(problem), { name: 'InvalidMessageContents' });
    this.sent.push(input);
    return { MessageId: `message-${this.sent.length}` };
  }
}

/** Why SQS would refuse this SendMessage, or undefined when it would take it. */
export function sqsRefusal(input: SendMessageCommandInput): string | undefined {
  const body = input.MessageBody ?? '';
  if (body.length === 0) return 'MessageBody must not be empty.';
  if (!isSqsSafeText(body)) return 'MessageBody holds characters outside XML 1.0.';
  const attributes = Object.entries(input.MessageAttributes ?? {});
  if (attributes.length > MAX_MESSAGE_ATTRIBUTES)
    return `${attributes.length} message attributes; SQS allows ${MAX_MESSAGE_ATTRIBUTES}.`;
  let bytes = Buffer.byteLength(body, 'utf8');
  for (const [name, attribute] of attributes) {
    const value = attribute.StringValue ?? '';
    if (attribute.DataType !== 'String') return `Attribute ${name} has data type ${String(attribute.DataType)}.`;
    if (value.length === 0) return `Attribute ${name} is empty.`;
    if (!isSqsSafeText(value)) return `Attribute ${name} holds characters outside XML 1.0.`;
    bytes += Buffer.byteLength(name, 'utf8') + attribute.DataType.length + Buffer.byteLength(value, 'utf8');
  }
  if (bytes > MAX_SQS_MESSAGE_BYTES) return `The message is ${bytes} bytes; SQS allows ${MAX_SQS_MESSAGE_BYTES}.`;
  return undefined;
}
