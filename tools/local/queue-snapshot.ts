import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MessageAttributeValue, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { inspectQueueMessages } from './inspect-queue';

/** The file in the data folder that carries queued messages from one run of the local runner to the next. */
export const QUEUE_SNAPSHOT_FILE = 'sqs-messages.json';
const SNAPSHOT_VERSION = 1;

/** One message as kept between runs: what SendMessage needs to put it back. */
interface SnapshotMessage {
  readonly body: string;
  readonly messageAttributes: Record<string, MessageAttributeValue>;
  readonly sentTimestamp: number;
}

interface QueueSnapshot {
  readonly version: number;
  readonly savedAt: string;
  /** Messages by queue name, oldest first. */
  readonly queues: Record<string, SnapshotMessage[]>;
}

/**
 * Writes every message of the named queues (ready, delayed and in flight) to `file`, read through the
 * emulator's inspection endpoint so that nothing is received or changed. Returns the count per queue.
 */
export async function saveQueueSnapshot(
  emulatorEndpoint: string,
  queueNames: readonly string[],
  file: string,
): Promise<Record<string, number>> {
  const queues: Record<string, SnapshotMessage[]> = {};
  for (const name of queueNames) {
    queues[name] = (await inspectQueueMessages(emulatorEndpoint, name)).map(
      ({ body, messageAttributes, sentTimestamp }) => ({
        body,
        messageAttributes,
        sentTimestamp,
      }),
    );
  }
  const snapshot: QueueSnapshot = { version: SNAPSHOT_VERSION, savedAt: new Date().toISOString(), queues };
  mkdirSync(dirname(file), { recursive: true });
  // Written beside and renamed, so a crash mid-write never leaves half a snapshot.
  const partial = `${file}.partial`;
  writeFileSync(partial, JSON.stringify(snapshot));
  renameSync(partial, file);
  return Object.fromEntries(Object.entries(queues).map(([name, messages]) => [name, messages.length]));
}

/**
 * Sends the messages saved by {@link saveQueueSnapshot} back into their queues. The file is kept until the
 * next clean stop overwrites it: after a hard kill the same messages come back once more, and the
 * consumer's idempotency turns the ones already processed into duplicates. Receive counts start again at 0.
 */
export async function restoreQueueSnapshot(
  sqsClient: SQSClient,
  file: string,
  queueUrlsByName: Readonly<Record<string, string>>,
): Promise<Record<string, number>> {
  if (!existsSync(file)) return {};
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as QueueSnapshot;
  if (snapshot.version !== SNAPSHOT_VERSION) {
    throw new Error(
      `${file} was written by another version of the local runner; move it away to start with empty queues.`,
    );
  }
  const counts: Record<string, number> = {};
  for (const [name, messages] of Object.entries(snapshot.queues)) {
    const queueUrl = queueUrlsByName[name];
    if (queueUrl === undefined) throw new Error(`${file} holds messages for an unknown queue ${name}.`);
    for (const message of messages) {
      await sqsClient.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: message.body,
          MessageAttributes: message.messageAttributes,
        }),
      );
    }
    counts[name] = messages.length;
  }
  return counts;
}
