import { FluentEvent, FluentEventSchema } from './fluent-event';
import { BodyProblem, BodyProblemName, parseJsonObject } from './parse-json';

export { BodyProblem, parseJsonObject } from './parse-json';
export type { BodyProblemName, ParsedJson } from './parse-json';

export type ParsedEvent =
  | { readonly ok: true; readonly event: FluentEvent }
  | { readonly ok: false; readonly problem: BodyProblemName; readonly message: string };

/** Reads raw bytes as a typed Fluent event. Never throws; the message names the fields that are wrong. */
export function parseFluentEvent(rawBody: Uint8Array): ParsedEvent {
  const json = parseJsonObject(rawBody);
  if (!json.ok) return json;
  return fluentEventFromObject(json.object);
}

/** Reads a JSON object (from {@link parseJsonObject}) as a typed Fluent event. Never throws. */
export function fluentEventFromObject(object: Readonly<Record<string, unknown>>): ParsedEvent {
  const result = FluentEventSchema.safeParse(object);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
    return {
      ok: false,
      problem: BodyProblem.INVALID_EVENT,
      message: `The body is not a Fluent event: missing or invalid ${fields.join(', ')}.`,
    };
  }
  return { ok: true, event: result.data };
}
