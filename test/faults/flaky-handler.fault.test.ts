import type { FluentEventHandler } from '../../lambdas/consumer/handler-types';
import type { SqsPoller } from '../../tools/local/sqs-poller';
import { queueDepth, receiveMessages } from '../support/sqs-records';
import { testKeyPair } from '../support/test-keys';
import { captureOutput, CapturedOutput } from '../support/captured-output';
import {
  FaultEnvironment,
  faultSettings,
  HandlerLedger,
  ReceiverOverHttp,
  SignedWebhook,
  signedWebhooks,
  startConsumer,
  startFaultEnvironment,
  startReceiverOverHttp,
  waitUntil,
} from './fault-fixtures';

const MAX_RECEIVE_COUNT = 3;
const EVENTS = 24;

describe('Fault: a handler that fails intermittently', () => {
  const fluent = testKeyPair(1024, 'fluent');
  const settings = faultSettings(fluent);
  const ledger = new HandlerLedger();
  const attempts = new Map<string, number>();
  /** Event i fails its first i % (MAX_RECEIVE_COUNT + 2) attempts: from never to more often than the queue retries. */
  const failuresPlanned = new Map<string, number>();
  let webhooks: SignedWebhook[];
  let env: FaultEnvironment;
  let receiver: ReceiverOverHttp;
  let consumer: SqsPoller;
  let output: CapturedOutput;
  let deadLettered: string[];
  let statuses: number[];

  const flaky: FluentEventHandler = async (event) => {
    const attempt = (attempts.get(event.id) ?? 0) + 1;
    attempts.set(event.id, attempt);
    if (attempt <= (failuresPlanned.get(event.id) ?? 0))
      throw new Error(`attempt ${attempt} of ${event.id} fails on purpose`);
    ledger.record(event.id);
  };

  beforeAll(async () => {
    output = captureOutput();
    env = await startFaultEnvironment({
      webhooks: { maxReceiveCount: MAX_RECEIVE_COUNT, visibilityTimeoutSeconds: 1 },
    });
    const queue = env.queue('webhooks');
    const deadLetterQueue = env.deadLetterQueue('webhooks');
    receiver = await startReceiverOverHttp(settings, env.sqs, queue.queueUrl);
    webhooks = signedWebhooks(fluent, EVENTS);
    webhooks.forEach((webhook, index) => failuresPlanned.set(webhook.id, index % (MAX_RECEIVE_COUNT + 2)));

    // Act
    statuses = await Promise.all(webhooks.map((webhook) => receiver.post(webhook)));
    consumer = startConsumer({
      settings,
      sqsClient: env.sqs,
      queue,
      dynamoDbClient: env.dynamoDb,
      handlers: { default: flaky },
    });
    const doomed = webhooks.filter((webhook) => (failuresPlanned.get(webhook.id) ?? 0) >= MAX_RECEIVE_COUNT).length;
    await waitUntil(
      async () =>
        (await env.isEmpty(queue)) && (await queueDepth(env.sqs, deadLetterQueue.queueUrl)).visible === doomed,
      30_000,
      'the queue is empty and every doomed event is in the dead-letter queue',
    );
    await consumer.stop();
    const dead = await receiveMessages(env.sqs, deadLetterQueue, 0);
    deadLettered = dead.map((message) => (JSON.parse(message.Body ?? '{}') as { id: string }).id);
  }, 60_000);

  afterAll(async () => {
    await consumer?.stop();
    await receiver?.close();
    await env?.close();
    output?.restore();
  });

  it('accepts every webhook', () => {
    // Assess
    expect(statuses).toEqual(webhooks.map(() => 200));
  });

  it('ends every accepted event processed exactly once or in the dead-letter queue, never both, never neither', () => {
    // Assess
    const processed = webhooks.filter((webhook) => ledger.completed.get(webhook.id) === 1).map((webhook) => webhook.id);
    expect(ledger.twice()).toEqual([]);
    expect([...processed, ...deadLettered].sort()).toEqual(webhooks.map((webhook) => webhook.id).sort());
  });

  it.each([0, 1, 2, 3, 4])(
    'gives an event that fails its first %i attempts the outcome maxReceiveCount allows',
    (failures) => {
      // Prepare
      const ids = webhooks
        .filter((webhook) => failuresPlanned.get(webhook.id) === failures)
        .map((webhook) => webhook.id);

      // Assess
      for (const id of ids) {
        if (failures < MAX_RECEIVE_COUNT) {
          expect({ id, completed: ledger.completed.get(id), attempts: attempts.get(id) }).toEqual({
            id,
            completed: 1,
            attempts: failures + 1,
          });
        } else {
          expect({
            id,
            completed: ledger.completed.get(id),
            attempts: attempts.get(id),
            deadLettered: deadLettered.includes(id),
          }).toEqual({
            id,
            completed: undefined,
            attempts: MAX_RECEIVE_COUNT,
            deadLettered: true,
          });
        }
      }
    },
  );
});
