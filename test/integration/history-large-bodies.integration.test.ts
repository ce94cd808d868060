import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ArchivedWebhook } from '../../lambdas/contract/history';
import { HistoryBodies } from '../../lambdas/contract/history';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import { archivedOfItem, historyKey } from '../../lambdas/history/history-item';
import { S3HistoryBodies } from '../../lambdas/history/s3-history-bodies';
import { RunningEmulators, startEmulators } from '../support/emulators';
import { emulatorClientConfig, emulatorS3ClientConfig } from '../../tools/local/local-aws-config';
import { fluentEventBody } from '../support/factories';
import { archivedEntry as entry, largeEventBody } from '../support/archived-entries';

const TABLE = 'history';
const BUCKET = 'history-bodies';

describe('Class: DynamoDbHistoryStore with a history bucket, on dynalite and fauxqs (S3)', () => {
  let emulators: RunningEmulators;
  let client: DynamoDBClient;
  let bodies: S3HistoryBodies;
  const now = Date.parse('2026-12-06T12:00:00.000Z');

  beforeAll(async () => {
    emulators = await startEmulators({ historyTables: [TABLE], buckets: [BUCKET] });
    client = new DynamoDBClient(emulatorClientConfig(emulators.dynamoDbEndpoint, emulators.region));
    bodies = new S3HistoryBodies({
      bucketName: BUCKET,
      clientConfig: emulatorS3ClientConfig(emulators.sqsEndpoint, emulators.region),
    });
  });
  afterAll(async () => {
    client?.destroy();
    await bodies?.destroy();
    await emulators?.close();
  });

  const readItem = async (written: ArchivedWebhook) =>
    (
      await DynamoDBDocumentClient.from(client).send(
        new GetCommand({ TableName: TABLE, Key: historyKey(written.record) }),
      )
    ).Item!;

  it('puts a body too large for its item in the bucket, points to it, and reads the exact bytes back', async () => {
    // Prepare
    const store = new DynamoDbHistoryStore({ client, tableName: TABLE, now: () => now, bodies });
    const eventId = randomUUID();
    const written = entry({ eventId }, largeEventBody(eventId));

    // Act
    await store.write(written);
    const archived = await store.archived(written.record);
    const [inBatch] = await store.archivedMany([written.record]);
    const item = await readItem(written);

    // Assess
    expect(archived?.rawBody?.equals(written.rawBody!)).toBe(true);
    expect(archived?.record).toEqual(written.record);
    expect(inBatch?.rawBody?.equals(written.rawBody!)).toBe(true);
    expect(inBatch?.record).toEqual(written.record);
    const pointer = archivedOfItem(item).bodyObject;
    expect(pointer).toMatch(new RegExp(`^s3://${BUCKET}/${HistoryBodies.KEY_PREFIX}${eventId}/[0-9a-f]{64}$`));
  });

  it('keeps a body that fits in its item, and writes nothing to the bucket for it', async () => {
    // Prepare
    const put = jest.spyOn(bodies, 'put');
    const store = new DynamoDbHistoryStore({ client, tableName: TABLE, now: () => now, bodies });
    const eventId = randomUUID();
    const written = entry({ eventId }, fluentEventBody({ id: eventId }));

    // Act
    await store.write(written);

    // Assess
    expect(put).not.toHaveBeenCalled();
    expect(archivedOfItem(await readItem(written)).rawBody?.equals(written.rawBody!)).toBe(true);
    put.mockRestore();
  });

  it('fails the write, and writes no item, when the body cannot be stored', async () => {
    // Prepare
    const missing = new S3HistoryBodies({
      bucketName: 'no-such-bucket',
      clientConfig: emulatorS3ClientConfig(emulators.sqsEndpoint, emulators.region),
    });
    const store = new DynamoDbHistoryStore({ client, tableName: TABLE, now: () => now, bodies: missing });
    const eventId = randomUUID();
    const written = entry({ eventId }, largeEventBody(eventId));

    // Act
    const writing = store.write(written);

    // Assess
    await expect(writing).rejects.toThrow();
    expect(await store.archived(written.record)).toBeUndefined();
    await missing.destroy();
  });

  it('without a bucket, records a large body without its copy, as before', async () => {
    // Prepare
    const store = new DynamoDbHistoryStore({ client, tableName: TABLE, now: () => now });
    const eventId = randomUUID();
    const written = entry({ eventId }, largeEventBody(eventId));

    // Act
    await store.write(written);
    const archived = await store.archived(written.record);

    // Assess
    expect(archived?.record).toEqual(written.record);
    expect(archived?.rawBody).toBeUndefined();
  });
});
