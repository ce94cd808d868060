import type { Logger } from '@aws-lambda-powertools/logger';
import { QueuedWebhookAttribute } from '../../lambdas/contract/queue-message';
import { inspectQueueMessages } from './inspect-queue';
import { idText } from '../../lambdas/core/id-text';
import { boundedLogValue } from '../../lambdas/contract/log-values';

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
export function watchDeadLetterQueue(emulatorEndpoint: string, queueName: string, logger: Logger): DeadLetterWatcher {
  // Messages seen in the DLQ at the last look: one that leaves (redrive) and comes back is reported again.
  let seen = new Set<string>();
  let checking = false;
  const check = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      const all = await inspectQueueMessages(emulatorEndpoint, queueName);
      const arrived = all.filter((message) => !seen.has(message.messageId));
      seen = new Set(all.map((message) => message.messageId));
      for (const message of arrived) {
        logger.warn('message in the dead-letter queue', {
          queue: queueName,
          messageId: message.messageId,
          eventId: boundedLogValue(eventIdOf(message.body)),
          route: boundedLogValue(message.messageAttributes[QueuedWebhookAttribute.ROUTE]?.StringValue),
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

/** The Fluent event id, when the body is JSON with one; a base64-carried body is not decoded here. */
function eventIdOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return idText(parsed as Record<string, unknown>, 'id', body);
  } catch {
    return undefined;
  }
}
