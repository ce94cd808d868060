import { z } from 'zod';

/** Fluent ids are documented as strings; numbers are accepted and kept as their decimal text. */
const fluentId = z.union([z.string(), z.number().transform(String)]);
const optionalText = z.union([z.string(), z.number().transform(String)]).optional();

/**
 * A Fluent webhook event (Fluent's `webhook-notification.json`, plus fields seen in real deliveries).
 * Unknown fields are kept.
 */
export const FluentEventSchema = z.looseObject({
  id: fluentId,
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
