import type { Logger } from '@aws-lambda-powertools/logger';
import { parseJsonObject } from '../../lambdas/core/parse-json';
import { idText } from '../../lambdas/core/id-text';
import { decodeQueueMessage } from '../../lambdas/contract/queue-message';
import { boundedLogValue } from '../../lambdas/contract/log-values';
import { inspectQueueMessages } from './inspect-queue';
import { toRecordAttributes } from './sqs-event-records';

/** How often the dead-letter queue is looked at. */
const WATCH_INTERVAL_MS = 1000;

export interface DeadLetterWatcher {
  stop(): void;
}

/**
 * Logs one line for each message that arrives in the dead-letter queue, with its event id and route, so
 * that a local run shows where a failing event went. In AWS the DLQ alarm plays this part. Reads through
 * the emulator's inspection endpoint, which neither receives nor changes messages.
 */
export function watchDeadLetterQueue(
  emulatorEndpoint: string,
  queueName: string,
  logger: Logger,
  /** Called when a message arrived or left since the last look. */
  onChange?: () => void,
): DeadLetterWatcher {
  // Messages seen in the DLQ at the last look: one that leaves (redrive) and comes back is reported again.
  let seen = new Set<string>();
  let checking = false;
  const check = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      const all = await inspectQueueMessages(emulatorEndpoint, queueName);
      const arrived = all.filter((message) => !seen.has(message.messageId));
      const left = seen.size + arrived.length > all.length;
      seen = new Set(all.map((message) => message.messageId));
      if (arrived.length > 0 || left) onChange?.();
      for (const message of arrived) {
        const queued = decodeQueueMessage({
          body: message.body,
          messageAttributes: toRecordAttributes(message.messageAttributes),
        });
        logger.warn('message in the dead-letter queue', {
          queue: queueName,
          messageId: message.messageId,
          eventId: boundedLogValue(eventIdOf(queued.rawBody)),
          route: boundedLogValue(queued.route === '' ? undefined : queued.route),
          deadLetterMessages: all.length,
        });
      }
    } catch {
      // The emulator is stopping or busy; the next look catches up.
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), WATCH_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** The Fluent event id, when the body is a JSON object with one. */
function eventIdOf(rawBody: Buffer): string | undefined {
  const json = parseJsonObject(rawBody);
  return json.ok ? idText(json.object, 'id', json.text) : undefined;
}
