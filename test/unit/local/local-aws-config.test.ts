import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EMULATOR_CREDENTIALS, EMULATOR_SIGNER, emulatorClientConfig } from '../../../tools/local/local-aws-config';
import { startDynamoDbEmulator } from '../../../tools/local/dynamodb-emulator';

describe('EMULATOR_SIGNER', () => {
  it('gives a request the SigV4 headers with the credential scope of its date, region and service', async () => {
    const request = { headers: { host: '127.0.0.1' } as Record<string, string> };
    await EMULATOR_SIGNER.sign(request, {
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
    const config = emulatorClientConfig('http://127.0.0.1:1', 'us-east-1');
    expect(config.signer).toBe(EMULATOR_SIGNER);
    const emulator = await startDynamoDbEmulator();
    const client = new DynamoDBClient(emulatorClientConfig(emulator.endpoint, 'eu-west-1'));
    try {
      await emulator.createIdempotencyTable('signer-test');
      await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: ['signer-test'] });
    } finally {
      client.destroy();
      await emulator.stop();
    }
  });
});
