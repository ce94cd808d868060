import { request as httpRequest } from 'node:http';
import { DeleteMessageCommand, Message, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { decodeQueueMessage } from '../../lambdas/contract/queue-message';
import { toRecordAttributes } from '../../tools/local/sqs-event-records';
import { MAX_QUEUE_FIRST_BODY_BYTES } from '../../lambdas/contract/sqs-integration-templates';
import { GatewayServer, startGatewayServer } from '../../tools/local/gateway-server';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import type { EmulatedQueue } from '../../tools/local/sqs-emulator';
import { sqsSendMessageIntegration } from '../../tools/local/sqs-service-integration';
import { RunningEmulators, startEmulators } from '../support/emulators';
import { queueDepth, receiveMessages } from '../support/sqs-records';

const SECRET = 'k3y-Segment_0123456789abcdefghijklmnop';
const STAGE = { stage: 'webhooks', apiId: 'local', accountId: '000000000000', pathSecret: SECRET };

describe('Integration: the queue-first local gateway against the SQS emulator', () => {
  let emulators: RunningEmulators;
  let client: SQSClient;
  let queue: EmulatedQueue;
  let gateway: GatewayServer;
  let missingQueueGateway: GatewayServer;

  const startGateway = (queueUrl: string) =>
    startGatewayServer({
      host: '127.0.0.1',
      port: 0,
      stage: STAGE,
      serviceIntegration: sqsSendMessageIntegration({ sqsClient: client, queueUrl, stage: STAGE }),
      logger: new Logger({ logLevel: 'SILENT' }),
    });
  const post = async (target: GatewayServer, body: Buffer | string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${target.origin}/${SECRET}/fluent/orders/new`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  /** Receives what is queued and deletes it, so each case starts with an empty queue. */
  const take = async (): Promise<Message[]> => {
    const messages = await receiveMessages(client, queue, 1);
    for (const message of messages) {
      await client.send(new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
    return messages;
  };

  beforeAll(async () => {
    emulators = await startEmulators({
      queues: [{ name: 'queue-first', attributes: { MaximumMessageSize: '1048576' } }],
    });
    // One attempt: the SDK's retries would only slow the outage case down.
    client = new SQSClient({ ...emulatorClientConfig(emulators.sqsEndpoint, emulators.region), maxAttempts: 1 });
    queue = emulators.queues['queue-first'] as EmulatedQueue;
    gateway = await startGateway(queue.queueUrl);
    missingQueueGateway = await startGateway(`${emulators.sqsEndpoint}/000000000000/no-such-queue`);
  });
  afterAll(async () => {
    await gateway?.close();
    await missingQueueGateway?.close();
    client?.destroy();
    await emulators?.close();
  });

  it('queues the exact bytes with the signature headers and answers 200 in the receiver shape', async () => {
    // Prepare
    const rawBody = Buffer.from('{"id":"e1","note":"\uFFFF é\r\n"}', 'utf8');

    // Act
    const response = await post(gateway, rawBody, { 'Fluent-Signature': 'ab+/cd==', 'flex.signature': 'x+/=' });
    const [message] = await take();

    // Assess
    expect(response).toEqual({ status: 200, body: { status: 'accepted', requestId: expect.any(String) } });
    const webhook = decodeQueueMessage({
      body: message?.Body,
      messageAttributes: toRecordAttributes(message?.MessageAttributes),
    });
    expect(webhook.rawBody.equals(rawBody)).toBe(true);
    expect(webhook).toMatchObject({
      signatures: { 'fluent-signature': ['ab+/cd=='], 'flex.signature': ['x+/='] },
      route: 'orders/new',
      requestId: response.body.requestId,
    });
  });

  /** POSTs with header lines exactly as given (a name may repeat), as node:http writes them. */
  const postLines = (lines: ReadonlyArray<readonly [string, string]>) =>
    new Promise<number>((resolve, reject) => {
      const url = new URL(`${gateway.origin}/${SECRET}/fluent/orders/new`);
      const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json' };
      for (const [name, value] of lines) {
        const previous = headers[name];
        headers[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
      }
      const request = httpRequest(url, { method: 'POST', headers }, (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
      });
      request.once('error', reject);
      request.end('{"id":"e2"}');
    });
  const queuedSignatures = async () => {
    const [message] = await take();
    return {
      attributes: Object.keys(message?.MessageAttributes ?? {}),
      signatures: decodeQueueMessage({
        body: message?.Body,
        messageAttributes: toRecordAttributes(message?.MessageAttributes),
      }).signatures,
    };
  };

  it('queues only the last value of a repeated signature header, as $input.params().header holds one value per name', async () => {
    // Act
    const status = await postLines([
      ['fluent-signature', 'first+/=='],
      ['fluent-signature', 'last+/=='],
    ]);
    const queued = await queuedSignatures();

    // Assess
    expect(status).toBe(200);
    expect(queued.signatures).toEqual({ 'fluent-signature': ['last+/=='] });
  });

  it('carries a signature header sent empty as sent, so the consumer refuses it as the verifying Lambda does', async () => {
    // Act
    const status = await postLines([
      ['fluent-signature', ''],
      ['flex.signature', 'md5+/=='],
    ]);
    const queued = await queuedSignatures();

    // Assess
    expect(status).toBe(200);
    expect(queued.attributes).toContain('EmptySignatureHeaders');
    expect(queued.signatures).toEqual({ 'fluent-signature': [], 'flex.signature': ['md5+/=='] });
  });

  it('queues an unsigned request too: the consumer is the judge', async () => {
    // Act
    const response = await post(gateway, '{"id":"forged"}');
    const received = await take();

    // Assess
    expect(response.status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it('refuses a body one byte over the limit with 413 and queues nothing', async () => {
    // Act
    const response = await post(gateway, Buffer.alloc(MAX_QUEUE_FIRST_BODY_BYTES + 1, 'a'));

    // Assess
    expect(response).toEqual({
      status: 413,
      body: { error: 'body-too-large', message: expect.stringContaining('780288'), requestId: expect.any(String) },
    });
    expect(await queueDepth(client, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('answers 503 in the receiver shape when SQS refuses the message', async () => {
    // Act
    const response = await post(missingQueueGateway, '{"id":"e2"}');

    // Assess
    expect(response).toEqual({
      status: 503,
      body: { error: 'queue-unavailable', message: expect.any(String), requestId: expect.any(String) },
    });
  });

  it('answers 415 for a content type without a request template, as passthrough NEVER does', async () => {
    // Act
    const response = await post(gateway, 'text', { 'Content-Type': 'text/plain' });

    // Assess
    expect(response).toEqual({
      status: 415,
      body: { error: 'request-refused', message: 'Unsupported Media Type', requestId: expect.any(String) },
    });
    expect(await queueDepth(client, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('answers 5xx, never 200, while SQS is down', async () => {
    // Prepare
    await emulators.stopSqs();

    // Act
    const response = await post(gateway, '{"id":"e3"}').finally(() => emulators.restartSqs());

    // Assess
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(response.body).toMatchObject({ error: 'gateway-error', requestId: expect.any(String) });
  });
});
