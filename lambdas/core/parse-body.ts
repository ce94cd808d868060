import { DeduplicationKey, FluentEvent, invalidEventMessage, readFluentEvent } from './fluent-event-rules';
import { BodyProblem, BodyProblemName, parseJsonObject } from './parse-json';

export { BodyProblem, parseJsonObject } from './parse-json';
export type { BodyProblemName, ParsedJson } from './parse-json';

/** What `parseFluentEvent` answers: the typed event, or why the body is not one. */
export type ParsedEvent =
  | {
      /** The body is an event. */
      readonly ok: true;
      /** The event, typed. */
      readonly event: FluentEvent;
      /** What the consumer de-duplicates the event on. */
      readonly deduplicationKey: DeduplicationKey;
    }
  | {
      /** The body is not an event. */
      readonly ok: false;
      /** Why, as a stable string for metrics. */
      readonly problem: BodyProblemName;
      /** Which fields are wrong; never quotes the body. */
      readonly message: string;
    };

/** Reads raw bytes as a typed Fluent event. Never throws; the message names the fields that are wrong. */
export function parseFluentEvent(rawBody: Uint8Array): ParsedEvent {
  const json = parseJsonObject(rawBody);
  if (!json.ok) return json;
  return fluentEventFromObject(json.object, json.text);
}

/**
 * Reads a JSON object (from {@link parseJsonObject}) as a typed Fluent event. Give the JSON `text` it was parsed
 * from so that numeric ids keep their text as sent. Never throws.
 */
export function fluentEventFromObject(object: Readonly<Record<string, unknown>>, text?: string): ParsedEvent {
  const reading = readFluentEvent(object, text);
  if (!reading.ok) {
    return { ok: false, problem: BodyProblem.INVALID_EVENT, message: invalidEventMessage(reading.invalidFields) };
  }
  return reading;
}
