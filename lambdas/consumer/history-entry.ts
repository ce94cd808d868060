import { idText } from '../core';
import type { ArchivedWebhook, HistoryRecord } from '../contract/history';
import { QueuedWebhook, reprocessRunOf } from '../contract/queue-message';
import { normaliseRoute } from './select-handler';

/** DynamoDB keys are at most 2,048 bytes (partition) and 1,024 (sort); real Fluent ids are UUIDs or short numbers. */
const MAX_KEY_CHARS = 512;

type Outcome = Pick<HistoryRecord, 'outcome' | 'reason' | 'attempts' | 'durationMs' | 'provenance' | 'firstHandledAt'>;

/**
 * What the history keeps of one signed delivery, before its outcome is known: the identity fields read from the
 * event as sent (texts only, so a malformed field does not stop the archive) and the archived copy.
 */
export class HistoryEntry {
  private constructor(
    private readonly identity: Omit<HistoryRecord, keyof Outcome | 'decidedAt'>,
    private readonly queued: QueuedWebhook,
  ) {}

  /** The entry for a delivery, or undefined when the event has no id to key it by. */
  public static of(
    messageId: string,
    queued: QueuedWebhook,
    object: Readonly<Record<string, unknown>>,
    sourceText: string,
  ): HistoryEntry | undefined {
    const eventId = idText(object, 'id', sourceText);
    if (eventId === undefined || eventId === '' || eventId.length > MAX_KEY_CHARS || messageId === '') return undefined;
    const text = (field: string): string | undefined => {
      const value = idText(object, field, sourceText);
      return value === '' ? undefined : value;
    };
    return new HistoryEntry(
      {
        eventId,
        messageId,
        name: text('name') ?? '',
        accountId: text('accountId') ?? '',
        retailerId: text('retailerId'),
        entityType: text('entityType'),
        entityRef: text('entityRef'),
        rootEntityRef: text('rootEntityRef'),
        route: normaliseRoute(queued.route),
        receivedAt: queued.receivedAt,
        requestId: queued.requestId,
        replayRun: reprocessRunOf(queued),
        ...(typeof object.id === 'number' ? { numericId: true as const } : {}),
      },
      queued,
    );
  }

  /** The event's id in the history: its partition. */
  public get eventId(): string {
    return this.identity.eventId;
  }

  public withOutcome(outcome: Outcome): ArchivedWebhook {
    return {
      record: { ...this.identity, ...outcome, decidedAt: new Date().toISOString() },
      rawBody: this.queued.rawBody,
      signatures: this.queued.signatures,
    };
  }
}
