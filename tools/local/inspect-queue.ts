import type { MessageAttributeValue } from '@aws-sdk/client-sqs';

/** One message as the SQS emulator (fauxqs) keeps it. */
export interface InspectedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: Record<string, MessageAttributeValue>;
  readonly sentTimestamp: number;
}

interface InspectedQueue {
  readonly messages: {
    readonly ready: InspectedMessage[];
    readonly delayed: InspectedMessage[];
    readonly inflight: Array<{ readonly message: InspectedMessage }>;
  };
}

/**
 * Every message of a queue, waiting, delayed or in flight, oldest first, read through fauxqs's inspection
 * endpoint (`GET /_fauxqs/queues/<name>`): unlike ReceiveMessage it neither hides messages nor counts a receive.
 */
export async function inspectQueueMessages(emulatorEndpoint: string, queueName: string): Promise<InspectedMessage[]> {
  const response = await fetch(`${emulatorEndpoint}/_fauxqs/queues/${encodeURIComponent(queueName)}`);
  if (!response.ok)
    throw new Error(`Could not inspect queue ${queueName} in the SQS emulator: HTTP ${response.status}.`);
  const { messages } = (await response.json()) as InspectedQueue;
  return [...messages.ready, ...messages.delayed, ...messages.inflight.map((entry) => entry.message)]
    .map((message) => ({ ...message, messageAttributes: message.messageAttributes ?? {} }))
    .sort((a, b) => a.sentTimestamp - b.sentTimestamp);
}
