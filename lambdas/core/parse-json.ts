import { TextDecoder } from 'node:util';

// Reading a body as a JSON object, apart from the event rules: the first of the verifying Lambda's body checks.

/** Why a body could not be read as a Fluent event. Stable strings: use them in metrics. */
export const BodyProblem = {
  /** The bytes are not valid UTF-8. */
  INVALID_UTF8: 'invalid-utf8',
  /** The text is not JSON. */
  INVALID_JSON: 'invalid-json',
  /** The JSON is not an object. */
  NOT_AN_OBJECT: 'not-an-object',
  /** The object lacks a field an event needs, or has one of the wrong type. */
  INVALID_EVENT: 'invalid-event',
} as const;
/** One of the {@link BodyProblem} strings. */
export type BodyProblemName = (typeof BodyProblem)[keyof typeof BodyProblem];

export type ParsedJson =
  | { readonly ok: true; readonly text: string; readonly object: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly problem: BodyProblemName; readonly message: string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads raw bytes as a JSON object. Never throws; messages never quote the body. */
export function parseJsonObject(rawBody: Uint8Array): ParsedJson {
  let text: string;
  try {
    text = strictUtf8.decode(rawBody);
  } catch {
    return { ok: false, problem: BodyProblem.INVALID_UTF8, message: 'The body is not valid UTF-8 text.' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: BodyProblem.INVALID_JSON, message: 'The body is not valid JSON.' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, problem: BodyProblem.NOT_AN_OBJECT, message: 'The body is JSON but not an object.' };
  }
  return { ok: true, text, object: value as Record<string, unknown> };
}
