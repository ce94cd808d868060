import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EMULATOR_CREDENTIALS, emulatorClientConfig, emulatorSigner } from '../../../tools/local/local-aws-config';
import { startDynamoDbEmulator } from '../../../tools/local/dynamodb-emulator';
import { startEmulators } from '../../support/emulators';

describe('emulatorSigner', () => {
  it('gives a request the SigV4 headers with the credential scope of its date, region and service', async () => {
    const request = { headers: { host: '127.0.0.1' } as Record<string, string> };
    await emulatorSigner('us-east-1').sign(request, {
      signingDate: new Date('2026-12-07T10:11:12.345Z'),
      signingRegion: 'eu-west-2',
      signingService: 'sqs',
    });
    expect(request.headers['x-amz-date']).toBe('20261207T101112Z');
    expect(request.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=${EMULATOR_CREDENTIALS.accessKeyId}/20261207/eu-west-2/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    );
  });

  it('is what the emulator clients sign with, and dynalite takes their requests', async () => {
    const emulator = await startDynamoDbEmulator();
    const client = new DynamoDBClient(emulatorClientConfig(emulator.endpoint, 'eu-west-1'));
    const sent: string[] = [];
    // After signing: the Authorization header each request leaves with.
    client.middlewareStack.add(
      (next) => async (args) => {
        sent.push(String((args.request as { headers: Record<string, string> }).headers.authorization));
        return next(args);
      },
      { step: 'deserialize', name: 'recordAuthorization' },
    );
    try {
      await emulator.createIdempotencyTable('signer-test');
      await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: ['signer-test'] });
      expect(sent).toEqual([expect.stringMatching(/\/eu-west-1\/local\/aws4_request, .*Signature=0{64}$/)]);
    } finally {
      client.destroy();
      await emulator.stop();
    }
  });

  it("scopes an SQS client's requests to its region, which fauxqs puts the queue in", async () => {
    const emulators = await startEmulators({ queues: [] });
    const client = new SQSClient(emulatorClientConfig(emulators.sqsEndpoint, 'eu-west-2'));
    try {
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'signer-region' }));
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      expect(Attributes?.QueueArn).toMatch(/^arn:aws:sqs:eu-west-2:/);
    } finally {
      client.destroy();
      await emulators.close();
    }
  });
});
