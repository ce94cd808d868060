import { z } from 'zod';
import { FluentEvent, readFluentEvent } from './fluent-event-rules';

export type { FluentEvent } from './fluent-event-rules';

/**
 * A Fluent webhook event as a zod schema, for code that validates objects with zod. It applies the rules of
 * `readFluentEvent` (the ones the receiver and the consumer use), so it accepts and refuses exactly what they do;
 * parsing an object loses the text of numeric ids, so a numeric id must be a safe integer here. Unknown fields are kept.
 * Marked pure so that a bundle that does not use it (the consumer Lambda) leaves zod out: 445 KiB, and about a
 * quarter of the consumer's cold start (docs/benchmarks.md).
 */
export const FluentEventSchema = /* @__PURE__ */ z.looseObject({}).transform((object, context): FluentEvent => {
  const reading = readFluentEvent(object);
  if (reading.ok) return reading.event;
  for (const field of reading.invalidFields) {
    context.issues.push({ code: 'custom', path: [field], message: `missing or invalid ${field}`, input: object });
  }
  return z.NEVER;
});
