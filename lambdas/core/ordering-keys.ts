import { createHash } from 'node:crypto';
import type { DeduplicationKey, FluentEvent } from './fluent-event-rules';

/*
 * The keys per-entity ordering runs on, in one place: the receiver sets them on each FIFO message, the local runner
 * runs the same receiver, and the tests and the stale-status guard use the same functions.
 *
 * SQS allows a MessageGroupId and a MessageDeduplicationId of 1 to 128 characters, each an ASCII letter, digit or
 * punctuation mark (printable ASCII without the space). Fluent's values can be longer or hold other characters, so a
 * key that does not fit is replaced by `sha256:` and the SHA-256 (hex) of its parts: still exact (two different
 * keys collide only if SHA-256 does), bounded (71 characters), and never mistaken for a readable key, which holds no
 * colon.
 */

/** SQS's limit on MessageGroupId and MessageDeduplicationId. */
export const MAX_SQS_FIFO_ID_CHARS = 128;
/** What a hashed key starts with. */
export const HASHED_KEY_PREFIX = 'sha256:';

/** SQS's alphabet for FIFO ids: printable ASCII without the space. */
const SQS_FIFO_ID = /^[!-~]{1,128}$/;
/** Parts a readable group key is made of: no `/` (the separator) and no `:` (the hashed keys' mark). */
const READABLE_PART = /^[A-Za-z0-9_.@-]*$/;

/** The entity an event is about, and the root entity (the order) it belongs to. */
export type EntityFields = Pick<FluentEvent, 'accountId' | 'entityType' | 'entityRef'> &
  Partial<Pick<FluentEvent, 'rootEntityType' | 'rootEntityRef'>>;

/**
 * The message group of an event in `per-entity` ordering: its account, root entity type and root entity ref
 * (`ACME/ORDER/HD_123`), so every event of one order, whatever entity it is about (order, fulfilment, ...), runs in
 * one line. Without a root (`rootEntityType` or `rootEntityRef` absent or empty), the entity's own type and ref.
 */
export function messageGroupId(event: EntityFields): string {
  const hasRoot = (event.rootEntityType ?? '') !== '' && (event.rootEntityRef ?? '') !== '';
  return hasRoot
    ? boundedKey([event.accountId, event.rootEntityType as string, event.rootEntityRef as string])
    : boundedKey([event.accountId, event.entityType, event.entityRef]);
}

/** The entity itself (`ACME/FULFILMENT/F_1`): what an event's `entityStatus` is the status of. */
export function entityKey(event: EntityFields): string {
  return boundedKey([event.accountId, event.entityType, event.entityRef]);
}

/**
 * The MessageDeduplicationId of an event: its id as sent, when SQS takes it as it is (Fluent's ids are UUIDs);
 * otherwise (longer than 128 characters, characters SQS refuses, or sent as a JSON number, which must stay apart
 * from the same digits sent as a string) the hash of the de-duplication key.
 */
export function messageDeduplicationId(key: DeduplicationKey): string {
  if (typeof key === 'string' && SQS_FIFO_ID.test(key)) return key;
  return hashedKey(JSON.stringify(key));
}

/** The parts joined with `/` when each is plain and the whole fits; otherwise their hash. */
function boundedKey(parts: readonly string[]): string {
  const readable = parts.join('/');
  if (readable.length <= MAX_SQS_FIFO_ID_CHARS && parts.every((part) => READABLE_PART.test(part))) return readable;
  return hashedKey(JSON.stringify(parts));
}

function hashedKey(text: string): string {
  return `${HASHED_KEY_PREFIX}${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}
