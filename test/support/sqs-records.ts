import type { KeyObject } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { FluentEvent, FluentSignatureHeaders, readSignatureHeaders, signFluentPayload } from '../../lambdas/core';
import { encodeQueueMessage, QueueMessage, sendMessageAttributes } from '../../lambdas/contract/queue-message';
import { LAMBDA_RECEIVE_OPTIONS, toSqsEvent, toSqsEventRecord } from '../../tools/local/sqs-event-records';
import { fluentEvent, fluentEventBody } from './factories';
import type { ProvenanceName } from '../../lambdas/contract/provenance';

export const TEST_QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:fluent-webhooks';
export const TEST_REGION = 'us-east-1';

export interface QueuedRecordOptions {
  /** Signature headers as the receiver saw them; none when absent. */
  readonly headers?: Partial<FluentSignatureHeaders> | Record<string, string>;
  /** @default 'orders/status' */
  readonly route?: string;
  /** @default a fresh id per call */
  readonly messageId?: string;
  /** @default 1 */
  readonly receiveCount?: number;
  /** @default 'req-0001' */
  readonly requestId?: string;
  /** @default '2026-11-28T10:00:00.000Z' */
  readonly receivedAt?: string;
  /** @default none (a webhook) */
  readonly provenance?: ProvenanceName;
  /** @default none */
  readonly replayRun?: string;
}

let nextMessageNumber = 0;

/** The queue message the receiver writes for a webhook (see encodeQueueMessage). */
export function queuedMessage(
  rawBody: Buffer,
  options: Omit<QueuedRecordOptions, 'messageId' | 'receiveCount'> = {},
): QueueMessage {
  const encoded = encodeQueueMessage({
    rawBody,
    signatures: readSignatureHeaders(options.headers ?? {}),
    route: options.route ?? 'orders/status',
    receivedAt: options.receivedAt ?? new Date().toISOString(),
    requestId: options.requestId ?? 'req-0001',
    ...(options.provenance === undefined ? {} : { provenance: options.provenance }),
    ...(options.replayRun === undefined ? {} : { replayRun: options.replayRun }),
  });
  if (!encoded.ok) throw new Error(`A test webhook's ${encoded.field} cannot travel through SQS.`);
  return encoded.message;
}

/** The record Lambda would deliver for a webhook the receiver queued: body and attributes as the receiver writes them. */
export function queuedWebhookRecord(rawBody: Buffer, options: QueuedRecordOptions = {}): SQSRecord {
  const message = queuedMessage(rawBody, { receivedAt: '2026-11-28T10:00:00.000Z', ...options });
  nextMessageNumber += 1;
  const messageId = options.messageId ?? `message-${nextMessageNumber}`;
  return toSqsEventRecord(
    {
      MessageId: messageId,
      ReceiptHandle: `receipt-${messageId}`,
      Body: message.body,
      MD5OfBody: 'not-checked',
      Attributes: {
        ApproximateReceiveCount: String(options.receiveCount ?? 1),
        SentTimestamp: '1795860000000',
        SenderId: 'AIDATEST',
      },
      MessageAttributes: sendMessageAttributes(message),
    },
    TEST_QUEUE_ARN,
    TEST_REGION,
  );
}

/** A record for a Fluent event signed with `privateKey`, as Fluent would send it (both headers). */
export function signedEventRecord(
  privateKey: KeyObject,
  overrides: Partial<FluentEvent> & Record<string, unknown> = {},
  options: QueuedRecordOptions = {},
): { readonly record: SQSRecord; readonly rawBody: Buffer; readonly event: FluentEvent } {
  const event = fluentEvent(overrides);
  const rawBody = fluentEventBody(overrides);
  return {
    record: queuedWebhookRecord(rawBody, { headers: signFluentPayload(rawBody, privateKey), ...options }),
    rawBody,
    event,
  };
}

/** Sends a webhook to a queue exactly as the receiver does: raw body, signature and route attributes. */
export async function sendQueuedWebhook(
  client: SQSClient,
  queueUrl: string,
  rawBody: Buffer,
  options: Omit<QueuedRecordOptions, 'messageId' | 'receiveCount'> = {},
): Promise<string> {
  const message = queuedMessage(rawBody, options);
  const sent = await client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: message.body,
      MessageAttributes: sendMessageAttributes(message),
    }),
  );
  return sent.MessageId ?? '';
}

export interface QueueRef {
  readonly queueUrl: string;
  readonly queueArn: string;
}

/** Receives up to `maxMessages` as Lambda's event source would (all attributes), in one call. */
export async function receiveMessages(
  client: SQSClient,
  queue: QueueRef,
  waitTimeSeconds: number,
  maxMessages = 10,
): Promise<Message[]> {
  const received = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.queueUrl,
      MaxNumberOfMessages: maxMessages,
      WaitTimeSeconds: waitTimeSeconds,
      ...LAMBDA_RECEIVE_OPTIONS,
    }),
  );
  return received.Messages ?? [];
}

/**
 * Invokes `handler` with received messages as one Lambda SQS event, then deletes the records the partial
 * batch response does not name, as the event source mapping does. Returns the ids it reported failed.
 */
export async function invokeAndAcknowledge(
  client: SQSClient,
  queue: QueueRef,
  messages: readonly Message[],
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>,
  context: Context,
): Promise<string[]> {
  const response = await handler(toSqsEvent(messages, queue.queueArn, TEST_REGION), context);
  const failed = response.batchItemFailures.map((failure) => failure.itemIdentifier);
  const succeeded = messages.filter((message) => !failed.includes(message.MessageId ?? ''));
  if (succeeded.length > 0) {
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: succeeded.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
  return failed;
}

/** Visible plus in-flight messages of a queue. */
export async function queueDepth(client: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}
