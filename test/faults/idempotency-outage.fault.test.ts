import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DecisionMessage } from '../../lambdas/consumer/process-record';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import type { SqsPoller } from '../../tools/local/sqs-poller';
import { queueDepth } from '../support/sqs-records';
import { testKeyPair } from '../support/test-keys';
import { captureOutput, CapturedOutput, decisionLines } from '../support/captured-output';
import {
  FaultEnvironment,
  faultSettings,
  HandlerLedger,
  SignedWebhook,
  signedWebhooks,
  startConsumer,
  startFaultEnvironment,
  startReceiverOverHttp,
  waitUntil,
} from './fault-fixtures';
import { startTcpSwitch, TcpSwitch } from './tcp-switch';
import { RecordFailureReason } from '../../lambdas/contract/observability';

/** Enough receives to outlast the outages: records must be retried, not dead-lettered. */
const MAX_RECEIVE_COUNT = 10;
const SCENARIOS = ['before-handler', 'after-handler'] as const;
type Scenario = (typeof SCENARIOS)[number];

describe('Fault: the idempotency table is unreachable while events are consumed', () => {
  const fluent = testKeyPair(1024, 'fluent');
  const settings = faultSettings(fluent);
  let env: FaultEnvironment;
  /** The consumer's client: it reaches DynamoDB only through the switch. */
  let dynamoDb: DynamoDBClient;
  let tableSwitch: TcpSwitch;
  let output: CapturedOutput;

  const queue = (scenario: Scenario) => env.queue(scenario);
  const isEmpty = (scenario: Scenario) => env.isEmpty(queue(scenario));
  const deadLetterDepth = (scenario: Scenario) => queueDepth(env.sqs, env.deadLetterQueue(scenario).queueUrl);
  /** The consumer's decision lines about one event (the receiver logs one too). */
  const decisionsFor = (id: string) =>
    decisionLines(output).filter((line) => line.eventId === id && line.component === 'consumer');
  const accept = async (scenario: Scenario, count: number): Promise<SignedWebhook[]> => {
    const receiver = await startReceiverOverHttp(settings, env.sqs, queue(scenario).queueUrl);
    const webhooks = signedWebhooks(fluent, count);
    const statuses = await Promise.all(webhooks.map((webhook) => receiver.post(webhook)));
    await receiver.close();
    if (statuses.some((status) => status !== 200))
      throw new Error(`Not every webhook was accepted: ${statuses.join(', ')}`);
    return webhooks;
  };

  beforeAll(async () => {
    output = captureOutput();
    env = await startFaultEnvironment(
      Object.fromEntries(
        SCENARIOS.map((name) => [name, { maxReceiveCount: MAX_RECEIVE_COUNT, visibilityTimeoutSeconds: 1 }]),
      ),
    );
    // The consumer reaches DynamoDB only through the switch, with the SDK's default retries as in Lambda.
    tableSwitch = await startTcpSwitch(Number(new URL(env.emulators.dynamoDbEndpoint).port));
    dynamoDb = new DynamoDBClient(emulatorClientConfig(tableSwitch.endpoint, env.emulators.region));
  });

  afterAll(async () => {
    dynamoDb?.destroy();
    await tableSwitch?.close();
    await env?.close();
    output?.restore();
  });

  describe('Scenario: the table is down before the events arrive', () => {
    const ledger = new HandlerLedger();
    let webhooks: SignedWebhook[];
    let consumer: SqsPoller;
    let runsDuringOutage: number;
    let failuresDuringOutage: Array<Record<string, unknown>>;

    beforeAll(async () => {
      webhooks = await accept('before-handler', 10);
      const storeFailures = () =>
        decisionLines(output).filter((line) => line.reason === RecordFailureReason.IDEMPOTENCY_STORE_FAILED);

      // Act: the table goes away before the consumer starts, and comes back once every event has failed at least once.
      await tableSwitch.off();
      consumer = startConsumer({
        settings,
        sqsClient: env.sqs,
        queue: queue('before-handler'),
        dynamoDbClient: dynamoDb,
        handlers: { default: async (event) => ledger.record(event.id) },
      });
      const ids = webhooks.map((webhook) => webhook.id);
      await waitUntil(
        () => ids.every((id) => storeFailures().some((line) => line.eventId === id)),
        20_000,
        'every event has failed on the table',
      );
      runsDuringOutage = ledger.completed.size;
      failuresDuringOutage = storeFailures();
      await tableSwitch.on();
      await waitUntil(
        async () => ids.every((id) => ledger.completed.has(id)) && (await isEmpty('before-handler')),
        30_000,
        'every event is processed',
      );
      await consumer.stop();
    }, 60_000);
    afterAll(() => consumer?.stop());

    it('runs no handler while the table is unreachable: each record fails with its own reason and is retried', () => {
      // Assess
      expect(runsDuringOutage).toBe(0);
      expect(failuresDuringOutage.length).toBeGreaterThanOrEqual(webhooks.length);
      expect(failuresDuringOutage[0]).toMatchObject({
        message: DecisionMessage.FAILED[RecordFailureReason.IDEMPOTENCY_STORE_FAILED],
        outcome: 'failed',
      });
    });

    it('processes every event exactly once after the table is back', () => {
      // Assess
      expect(webhooks.map((webhook) => ledger.completed.get(webhook.id))).toEqual(webhooks.map(() => 1));
      expect(
        webhooks.map((webhook) => decisionsFor(webhook.id).filter((line) => line.outcome === 'processed').length),
      ).toEqual(webhooks.map(() => 1));
    });

    it('leaves nothing in the queue or the dead-letter queue', async () => {
      // Assess
      expect(await isEmpty('before-handler')).toBe(true);
      expect(await deadLetterDepth('before-handler')).toEqual({ visible: 0, inFlight: 0 });
    });
  });

  describe('Scenario: the table goes down after a handler ran, before its completion is recorded', () => {
    const TIMEOUT_SECONDS = 2;
    /**
     * The in-progress lock ends at the invocation's deadline, and the handler starts after the invocation by the time
     * its batch takes to reach it (verification, the lock's put): up to a few hundred ms on a loaded 2-core machine.
     * A retry that ignored the lock would come after the queue's 1 s visibility timeout, well inside this bound.
     */
    const HANDLER_START_ALLOWANCE_MS = 500;
    const runs: number[] = [];
    const ends: number[] = [];
    let webhook: SignedWebhook;
    let consumer: SqsPoller;

    beforeAll(async () => {
      [webhook] = (await accept('after-handler', 1)) as [SignedWebhook];

      // Act: the first run cuts the table off as it returns, so Powertools cannot mark the event completed.
      consumer = startConsumer({
        settings,
        sqsClient: env.sqs,
        queue: queue('after-handler'),
        dynamoDbClient: dynamoDb,
        timeoutSeconds: TIMEOUT_SECONDS,
        handlers: {
          default: async () => {
            runs.push(Date.now());
            if (runs.length === 1) await tableSwitch.off();
            ends.push(Date.now());
          },
        },
      });
      await waitUntil(
        () => decisionsFor(webhook.id).some((line) => line.reason === RecordFailureReason.IDEMPOTENCY_STORE_FAILED),
        20_000,
        'the completion failed',
      );
      await tableSwitch.on();
      await waitUntil(() => isEmpty('after-handler'), 30_000, 'the event is processed and deleted');
      await consumer.stop();
    }, 60_000);
    afterAll(() => consumer?.stop());

    it('loses nothing: the record fails, is retried, and ends processed', async () => {
      // Assess
      const outcomes = decisionsFor(webhook.id).map((line) => line.outcome);
      expect(outcomes[0]).toBe('failed');
      expect(outcomes.filter((outcome) => outcome === 'processed')).toHaveLength(1);
      expect(await deadLetterDepth('after-handler')).toEqual({ visible: 0, inFlight: 0 });
    });

    it('runs the handler again only once the in-progress lock (the consumer timeout) has expired: at least once, never concurrently', () => {
      // Assess
      expect(runs).toHaveLength(2);
      expect(runs[1]).toBeGreaterThan(ends[0] as number);
      expect((runs[1] as number) - (runs[0] as number)).toBeGreaterThanOrEqual(
        TIMEOUT_SECONDS * 1000 - HANDLER_START_ALLOWANCE_MS,
      );
    });
  });
});
