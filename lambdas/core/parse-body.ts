import { DeduplicationKey, FluentEvent, invalidEventMessage, readFluentEvent } from './fluent-event-rules';
import { BodyProblem, BodyProblemName, parseJsonObject } from './parse-json';

export { BodyProblem, parseJsonObject } from './parse-json';
export type { BodyProblemName, ParsedJson } from './parse-json';

export type ParsedEvent =
  | { readonly ok: true; readonly event: FluentEvent; readonly deduplicationKey: DeduplicationKey }
  | { readonly ok: false; readonly problem: BodyProblemName; readonly message: string };

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
