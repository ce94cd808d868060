import type { Message, MessageAttributeValue, ReceiveMessageCommandInput } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttribute, SQSRecord } from 'aws-lambda';

/**
 * What a poller must ask ReceiveMessage for so that its records carry everything Lambda's SQS event source
 * puts in a record: all message attributes (the signatures travel there) and the system attributes.
 */
export const LAMBDA_RECEIVE_OPTIONS = {
  MessageAttributeNames: ['All'],
  MessageSystemAttributeNames: ['All'],
} as const satisfies Partial<ReceiveMessageCommandInput>;

/** Turns a message from ReceiveMessage into the record Lambda's SQS event source would deliver. */
export function toSqsEventRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const system = message.Attributes ?? {};
  const record: SQSRecord = {
    messageId: required(message.MessageId, 'MessageId'),
    receiptHandle: required(message.ReceiptHandle, 'ReceiptHandle'),
    body: message.Body ?? '',
    attributes: {
      ...system,
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
      SentTimestamp: system.SentTimestamp ?? String(Date.now()),
      SenderId: system.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: toRecordAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (message.MD5OfMessageAttributes !== undefined) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

/** One Lambda SQS event for a batch of received messages. */
export function toSqsEvent(messages: readonly Message[], queueArn: string, region: string): SQSEvent {
  return { Records: messages.map((message) => toSqsEventRecord(message, queueArn, region)) };
}

/**
 * Message attributes as the SDK has them (ReceiveMessage, SendMessage, the emulator's inspection) in the shape of a
 * Lambda record's, which is what the queue-message codec decodes.
 */
export function toRecordAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
): Record<string, SQSMessageAttribute> {
  return Object.fromEntries(Object.entries(attributes ?? {}).map(([name, value]) => [name, toRecordAttribute(value)]));
}

function toRecordAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  const attribute: SQSMessageAttribute = {
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(toBase64),
    dataType: value.DataType ?? 'String',
  };
  if (value.StringValue !== undefined) attribute.stringValue = value.StringValue;
  if (value.BinaryValue !== undefined) attribute.binaryValue = toBase64(value.BinaryValue);
  return attribute;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '')
    throw new Error(`A received SQS message has no ${name}; it cannot become a Lambda record.`);
  return value;
}
