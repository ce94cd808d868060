import { randomBytes, randomUUID } from 'node:crypto';
import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER } from '../../lambdas/core/constants';
import { signFluentPayload } from '../../lambdas/core';
import { ArchivedWebhook, HistoryRecord, MAX_ARCHIVED_BODY_BYTES } from '../../lambdas/contract/history';
import { fluentEventBody } from './factories';
import { testKeyPair } from './test-keys';

/** A history entry as the consumer writes it: a processed webhook of order HD_1, signed with the test key. */
export function archivedEntry(overrides: Partial<HistoryRecord> = {}, body?: Buffer): ArchivedWebhook {
  const eventId = overrides.eventId ?? randomUUID();
  const rawBody = body ?? fluentEventBody({ id: eventId });
  const signed = signFluentPayload(rawBody, testKeyPair().privateKeyPem);
  return {
    record: {
      eventId,
      messageId: randomUUID(),
      name: 'OrderStatusChange',
      accountId: 'ACME',
      entityRef: 'HD_1',
      rootEntityRef: 'HD_1',
      route: 'orders',
      receivedAt: '2026-12-01T10:00:00.000Z',
      requestId: 'r-1',
      outcome: 'processed',
      attempts: 1,
      provenance: 'webhook',
      decidedAt: '2026-12-01T10:00:01.000Z',
      ...overrides,
    },
    rawBody,
    signatures: {
      [FLUENT_SIGNATURE_HEADER]: [signed[FLUENT_SIGNATURE_HEADER]],
      [FLEX_SIGNATURE_HEADER]: [signed[FLEX_SIGNATURE_HEADER]],
    },
  };
}

/** A Fluent event whose archive cannot be brotli-packed under the item limit (base64 of random bytes): kept in S3. */
export function largeEventBody(eventId: string): Buffer {
  return fluentEventBody({
    id: eventId,
    attributes: { blob: randomBytes(MAX_ARCHIVED_BODY_BYTES).toString('base64') },
  });
}
