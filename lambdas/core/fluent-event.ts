import { z } from 'zod';

/** Fluent ids are documented as strings; numbers are accepted and kept as their decimal text. */
const fluentId = z.union([z.string(), z.number().transform(String)]);
/**
 * The event id is the de-duplication key: an empty one would make every such event a duplicate of the first,
 * so it is refused (the record then waits in the DLQ) rather than silently skipped.
 */
const eventId = z.union([z.string().refine((value) => value.trim().length > 0), z.number().transform(String)]);
const optionalText = z.union([z.string(), z.number().transform(String)]).optional();

/**
 * A Fluent webhook event (Fluent's `webhook-notification.json`, plus fields seen in real deliveries).
 * Unknown fields are kept.
 */
export const FluentEventSchema = z.looseObject({
  id: eventId,
  name: z.string().min(1),
  accountId: fluentId,
  retailerId: fluentId,
  entityId: fluentId,
  entityRef: z.string(),
  entityType: z.string().min(1),
  entitySubtype: optionalText,
  entityStatus: optionalText,
  type: optionalText,
  rootEntityId: optionalText,
  rootEntityRef: optionalText,
  rootEntityType: optionalText,
  attributes: z.unknown().optional(),
});

export type FluentEvent = z.infer<typeof FluentEventSchema>;
