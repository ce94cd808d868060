import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Provenance } from '../contract/provenance';
import { encodeQueueMessage, sendMessageAttributes } from '../contract/queue-message';
import { reconciliationRequestId } from '../contract/reconciliation';
import type { BackfillSink } from './reconcile-run';

export interface SqsBackfillOptions {
  readonly sqs: SQSClient;
  /** The reconciliation queue: the consumer accepts an unsigned event from this queue only. */
  readonly queueUrl: string;
  /** The run's id, in each message's RequestId (and so on its decision line). */
  readonly runId: string;
  /** The route the handlers are selected by, as a webhook's `{route+}` would be. @default '' */
  readonly route?: string;
  /** @default the time of sending */
  readonly now?: () => Date;
}

/** Sends each gap, unsigned and marked `reconciliation`, to the reconciliation queue through the queue-message codec. */
export function sqsBackfill(options: SqsBackfillOptions): BackfillSink {
  return async ({ body }) => {
    const encoded = encodeQueueMessage({
      rawBody: Buffer.from(body, 'utf8'),
      signatures: {},
      route: options.route ?? '',
      receivedAt: (options.now?.() ?? new Date()).toISOString(),
      requestId: reconciliationRequestId(options.runId),
      provenance: Provenance.RECONCILIATION,
    });
    if (!encoded.ok) throw new Error(`its ${encoded.field} cannot travel through SQS`);
    await options.sqs.send(
      new SendMessageCommand({
        QueueUrl: options.queueUrl,
        MessageBody: encoded.message.body,
        MessageAttributes: sendMessageAttributes(encoded.message),
      }),
    );
  };
}
