import { randomBytes, randomUUID } from 'node:crypto';
import { brotliCompressSync } from 'node:zlib';
import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER } from '../../../lambdas/core/constants';
import { signFluentPayload } from '../../../lambdas/core';
import { ArchivedWebhook, HistoryRecord, HistoryTable } from '../../../lambdas/contract/history';
import {
  archivedOfItem,
  entryOfIndexItem,
  HistoryItem,
  recordOfItem,
  toHistoryItem,
} from '../../../lambdas/history/history-item';
import { dynamoDbItemBytes } from '../../../lambdas/history/item-size';
import { fluentEventBody, historyEntryOf, twoKilobyteEventBody } from '../../support/factories';
import { testKeyPair } from '../../support/test-keys';

const EXPIRES_AT = 1_800_000_000;
const WRITE_UNIT_BYTES = 1024;

function archived(
  rawBody: Buffer,
  overrides: Partial<HistoryRecord> = {},
  event = fluentEventOf(rawBody),
): ArchivedWebhook {
  const signed = signFluentPayload(rawBody, testKeyPair().privateKeyPem);
  return {
    record: {
      eventId: event.id ?? randomUUID(),
      messageId: randomUUID(),
      name: event.name ?? 'N',
      accountId: 'ACME',
      retailerId: '1',
      entityType: event.entityType,
      entityRef: event.entityRef,
      rootEntityRef: event.rootEntityRef,
      route: 'fulfilments',
      receivedAt: '2026-12-07T01:02:03.456Z',
      requestId: randomUUID(),
      outcome: 'processed',
      attempts: 1,
      durationMs: 12.75,
      provenance: 'webhook',
      decidedAt: '2026-12-07T01:02:03.611Z',
      ...overrides,
    },
    rawBody,
    signatures: {
      [FLUENT_SIGNATURE_HEADER]: [signed[FLUENT_SIGNATURE_HEADER]],
      [FLEX_SIGNATURE_HEADER]: [signed[FLEX_SIGNATURE_HEADER]],
    },
  };
}

function fluentEventOf(rawBody: Buffer): Record<string, string | undefined> {
  return JSON.parse(rawBody.toString('utf8')) as Record<string, string | undefined>;
}

/** What an index entry holds of an item: the table's keys, the index's keys, and the projected fields present. */
function indexEntry(item: HistoryItem, keys: readonly string[]): HistoryItem {
  const kept = new Set<string>([
    HistoryTable.PARTITION_KEY,
    HistoryTable.SORT_KEY,
    ...keys,
    ...HistoryTable.PROJECTED_ATTRIBUTES,
  ]);
  return Object.fromEntries(Object.entries(item).filter(([name]) => kept.has(name)));
}

describe('History item layout', () => {
  it.each([
    ['an order', (event: Record<string, unknown>) => ({ entityRef: event.rootEntityRef as string })],
    ['a fulfilment of an order', () => ({})],
  ])(
    'keeps a 2 KB event of %s, with its record and signature, in one write unit, and one small index entry',
    (_, overrides) => {
      // Prepare
      const body = twoKilobyteEventBody(randomUUID(), 3);
      const entry = archived(body, overrides(fluentEventOf(body)));

      // Act
      const item = toHistoryItem(entry, EXPIRES_AT);

      // Assess: docs/cost-and-limits.md#the-history prices these sizes.
      expect(body.length).toBeGreaterThanOrEqual(1990);
      expect(dynamoDbItemBytes(item)).toBeLessThanOrEqual(WRITE_UNIT_BYTES);
      const byDay = indexEntry(item, [HistoryTable.BY_DAY_PARTITION_KEY, HistoryTable.BY_DAY_SORT_KEY]);
      expect(dynamoDbItemBytes(byDay)).toBeLessThanOrEqual(230);
      // A child's own ref rides in its entry (found by it), an order's is the entry's key already.
      expect(byDay.entityRef).toBe(
        entry.record.entityRef === entry.record.rootEntityRef ? undefined : entry.record.entityRef,
      );
      expect(archivedOfItem(item).record).toEqual(entry.record);
      // What a listing learns from the entry alone, without reading the item.
      expect(entryOfIndexItem(byDay)).toEqual(historyEntryOf(entry.record));
    },
  );

  it('gives back the record, the exact bytes and the signature header the verifier reads', () => {
    // Prepare
    // Bytes that are not JSON at all, with a NUL, a newline and non-ASCII: kept exactly.
    const entry = archived(
      Buffer.from('{"id":"x1",\n"weird":"\u0000 ✓"\n'),
      { outcome: 'failed', reason: 'handler-failed', attempts: 3, replayRun: 'run-1', provenance: 'replay' },
      { id: 'x1', name: 'N' },
    );

    // Act
    const item = toHistoryItem(entry, EXPIRES_AT);
    const back = archivedOfItem(item);

    // Assess
    expect(back.record).toEqual(entry.record);
    expect(recordOfItem(item)).toEqual(entry.record);
    expect(back.rawBody?.equals(entry.rawBody!)).toBe(true);
    expect(back.signatures).toEqual({ [FLUENT_SIGNATURE_HEADER]: entry.signatures[FLUENT_SIGNATURE_HEADER] });
  });

  it('reads receivedAt back the same from the item and from its index entry, when the entity ref holds a #', () => {
    // Prepare
    const entry = archived(fluentEventBody({ id: 'e-hash' }), { entityRef: 'HD#7', rootEntityRef: 'HD#7#A' });

    // Act
    const item = toHistoryItem(entry, EXPIRES_AT);

    // Assess
    expect(recordOfItem(item).receivedAt).toBe(entry.record.receivedAt);
    expect(entryOfIndexItem(indexEntry(item, ['dayShard', 'entityTime'])).receivedAt).toBe(entry.record.receivedAt);
  });

  it('keeps flex.signature when it is the only header, every value of it', () => {
    // Prepare
    const body = fluentEventBody({ id: 'e-flex' });
    const flex = signFluentPayload(body, testKeyPair().privateKeyPem)[FLEX_SIGNATURE_HEADER];
    const entry = {
      ...archived(body),
      signatures: { [FLEX_SIGNATURE_HEADER]: [flex, randomBytes(128).toString('base64')] },
    };

    // Act
    const back = archivedOfItem(toHistoryItem(entry, EXPIRES_AT));

    // Assess
    expect(back.signatures).toEqual(entry.signatures);
  });

  it('records a body too large to keep without its copy, and a receivedAt that is no time as written', () => {
    // Prepare
    const huge = Buffer.from(`{"id":"big","pad":"${randomBytes(400_000).toString('base64')}"}`);
    const entry = archived(huge, { receivedAt: 'not-a-time' });

    // Act
    const item = toHistoryItem(entry, EXPIRES_AT);
    const back = archivedOfItem(item);

    // Assess
    expect(back.rawBody).toBeUndefined();
    expect(back.record).toEqual(entry.record);
    expect(dynamoDbItemBytes(item)).toBeLessThan(2 * WRITE_UNIT_BYTES);
  });

  it('still reads items of the first layout (every field top-level, body alone, both signatures)', () => {
    // Prepare
    const entry = archived(fluentEventBody({ id: 'e-old' }));
    const { record } = entry;
    const old: HistoryItem = {
      ...record,
      expiresAt: EXPIRES_AT,
      dayShard: '2026-12-07#1',
      entityTime: `${record.rootEntityRef}#${record.receivedAt}#${record.eventId}`,
      body: brotliCompressSync(entry.rawBody!),
      fluentSignature: [Buffer.from(entry.signatures[FLUENT_SIGNATURE_HEADER]![0]!, 'base64')],
      flexSignature: [Buffer.from(entry.signatures[FLEX_SIGNATURE_HEADER]![0]!, 'base64')],
    };

    // Act
    const back = archivedOfItem(old);

    // Assess
    expect(back.record).toEqual(record);
    expect(back.rawBody?.equals(entry.rawBody!)).toBe(true);
    expect(back.signatures).toEqual(entry.signatures);
    expect(entryOfIndexItem(indexEntry(old, ['dayShard', 'entityTime']))).toEqual(historyEntryOf(record));
  });
});
