import type { KeyObject } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { FluentEvent, FluentSignatureHeaders, signFluentPayload, toQueuedWebhookMessage } from '../../lambdas/core';
import { toSqsEventRecord } from '../../lambdas/local/sqs-event-records';
import { fluentEvent, fluentEventBody } from './factories';

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
}

let nextMessageNumber = 0;

/** The record Lambda would deliver for a webhook the receiver queued: body and attributes as the receiver writes them. */
export function queuedWebhookRecord(rawBody: Buffer, options: QueuedRecordOptions = {}): SQSRecord {
  const message = toQueuedWebhookMessage({
    rawBody,
    bodyText: rawBody.toString('utf8'),
    headers: options.headers ?? {},
    route: options.route ?? 'orders/status',
    receivedAt: options.receivedAt ?? '2026-11-28T10:00:00.000Z',
    requestId: options.requestId ?? 'req-0001',
  });
  nextMessageNumber += 1;
  const messageId = options.messageId ?? `message-${nextMessageNumber}`;
  return toSqsEventRecord(
    {
      MessageId: messageId,
      ReceiptHandle: `receipt-${messageId}`,
      Body: message.body,
      MD5OfBody: 'not-checked',
      Attributes: { ApproximateReceiveCount: String(options.receiveCount ?? 1), SentTimestamp: '1795860000000', SenderId: 'AIDATEST' },
      MessageAttributes: Object.fromEntries(
        Object.entries(message.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
      ),
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
  return { record: queuedWebhookRecord(rawBody, { headers: signFluentPayload(rawBody, privateKey), ...options }), rawBody, event };
}
