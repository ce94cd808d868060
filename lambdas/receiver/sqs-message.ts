import type { MessageAttributeValue, SendMessageCommandInput } from '@aws-sdk/client-sqs';
import {
  BODY_ENCODING_BASE64,
  isSqsSafeText,
  QueuedWebhookAttribute,
  QueuedWebhookMessage,
} from '../contract/queue-message';

const STRING_DATA_TYPE = 'String';
const hasOwn = Object.prototype.hasOwnProperty;

// On every accepted request: plain loops over the few attributes, not Object.entries/fromEntries, whose arrays
// and closures cost more than the work itself.

/**
 * The attributes SQS will accept. SQS refuses empty values and values with characters outside XML 1.0, and a
 * refusal would turn bad input into a 503. Only an unused header can hold such a value: the route is checked
 * before this point, and the signature header that decided was verified as strict base64.
 */
export function sendableAttributes(attributes: Readonly<Record<string, string>>): Record<string, string> {
  const sendable: Record<string, string> = {};
  for (const name in attributes) {
    if (!hasOwn.call(attributes, name)) continue;
    const value = attributes[name] as string;
    if (value.length > 0 && isSqsSafeText(value)) sendable[name] = value;
  }
  return sendable;
}

/**
 * Size of a message as SQS counts it against `maxMessageSizeBytes`: the body plus, for each attribute,
 * its name, its data type and its value, all in UTF-8 bytes.
 */
export function sqsMessageBytes(body: string, attributes: Readonly<Record<string, string>>): number {
  let bytes = Buffer.byteLength(body, 'utf8');
  for (const name in attributes) {
    if (!hasOwn.call(attributes, name)) continue;
    bytes +=
      Buffer.byteLength(name, 'utf8') + STRING_DATA_TYPE.length + Buffer.byteLength(attributes[name] as string, 'utf8');
  }
  return bytes;
}

/** The SendMessage input for a queue message whose attributes went through {@link sendableAttributes}. */
export function toSendMessageInput(
  queueUrl: string,
  body: string,
  attributes: Readonly<Record<string, string>>,
): SendMessageCommandInput {
  const messageAttributes: Record<string, MessageAttributeValue> = {};
  for (const name in attributes) {
    if (hasOwn.call(attributes, name))
      messageAttributes[name] = { DataType: STRING_DATA_TYPE, StringValue: attributes[name] };
  }
  return { QueueUrl: queueUrl, MessageBody: body, MessageAttributes: messageAttributes };
}

/** A queue message ready to send: sendable attributes and its size as SQS counts it. */
export interface SizedQueueMessage {
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly bytes: number;
  /** The body travels base64-encoded (it held characters SQS cannot carry), which makes it a third larger. */
  readonly base64: boolean;
}

export function sizeQueueMessage(message: QueuedWebhookMessage): SizedQueueMessage {
  const attributes = sendableAttributes(message.attributes);
  return {
    body: message.body,
    attributes,
    bytes: sqsMessageBytes(message.body, attributes),
    base64: attributes[QueuedWebhookAttribute.BODY_ENCODING] === BODY_ENCODING_BASE64,
  };
}
