import type { SqsPoller } from '../../tools/local/sqs-poller';
import { queueDepth } from '../support/sqs-records';
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

const PER_PHASE = 8;
const PHASES = ['before', 'while-stopping', 'stopped', 'while-restarting', 'after'] as const;
type Phase = (typeof PHASES)[number];

describe('Fault: the SQS server stops while webhooks arrive over HTTP', () => {
  const fluent = testKeyPair(1024, 'fluent');
  const settings = faultSettings(fluent);
  const ledger = new HandlerLedger();
  const answers = new Map<string, { phase: Phase; status: number }>();
  let env: FaultEnvironment;
  let receiver: ReceiverOverHttp;
  let consumer: SqsPoller;
  let output: CapturedOutput;

  const idsOf = (predicate: (answer: { phase: Phase; status: number }) => boolean) =>
    [...answers].filter(([, answer]) => predicate(answer)).map(([id]) => id);
  const deliver = (phase: Phase, webhooks: readonly SignedWebhook[]) =>
    Promise.all(
      webhooks.map(async (webhook) => answers.set(webhook.id, { phase, status: await receiver.post(webhook) })),
    );

  beforeAll(async () => {
    output = captureOutput();
    env = await startFaultEnvironment({ webhooks: { maxReceiveCount: 3, visibilityTimeoutSeconds: 2 } });
    const queue = env.queue('webhooks');
    // The SDK's default retries, as the verifying Lambda has them: a stopped queue is retried before the 503.
    receiver = await startReceiverOverHttp(settings, env.sqs, queue.queueUrl);
    consumer = startConsumer({
      settings,
      sqsClient: env.sqs,
      queue,
      dynamoDbClient: env.dynamoDb,
      handlers: { default: async (event) => ledger.record(event.id) },
    });

    // Act: webhooks before, during and after an outage of the queue, the consumer polling throughout.
    const batches = Object.fromEntries(PHASES.map((phase) => [phase, signedWebhooks(fluent, PER_PHASE)])) as Record<
      Phase,
      SignedWebhook[]
    >;
    await deliver('before', batches.before);
    await Promise.all([deliver('while-stopping', batches['while-stopping']), env.emulators.stopSqs()]);
    await deliver('stopped', batches.stopped);
    await Promise.all([deliver('while-restarting', batches['while-restarting']), env.emulators.restartSqs()]);
    await deliver('after', batches.after);
    const accepted = idsOf((answer) => answer.status === 200);
    await waitUntil(
      async () => accepted.every((id) => ledger.completed.has(id)) && (await env.isEmpty(queue)),
      20_000,
      'every accepted webhook is processed and the queue is empty',
    );
  }, 60_000);

  afterAll(async () => {
    await consumer?.stop();
    await receiver?.close();
    await env?.close();
    output?.restore();
  });

  it('answers 200 while the queue is up and 503, never 200, while it is down', () => {
    // Assess
    expect(idsOf((answer) => answer.phase === 'before' && answer.status === 200)).toHaveLength(PER_PHASE);
    expect(idsOf((answer) => answer.phase === 'stopped' && answer.status === 503)).toHaveLength(PER_PHASE);
    expect(idsOf((answer) => answer.phase === 'after' && answer.status === 200)).toHaveLength(PER_PHASE);
    expect(new Set([...answers.values()].map((answer) => answer.status))).toEqual(new Set([200, 503]));
  });

  it('processes every webhook answered 200 exactly once, including those that raced the stop and the restart', () => {
    // Assess
    const accepted = idsOf((answer) => answer.status === 200);
    expect(accepted.length).toBeGreaterThanOrEqual(2 * PER_PHASE);
    expect(accepted.filter((id) => ledger.completed.get(id) !== 1)).toEqual([]);
    expect(ledger.twice()).toEqual([]);
  });

  it('never processes a webhook refused while the queue was down, nor anything it was not sent', () => {
    // Assess
    expect(idsOf((answer) => answer.phase === 'stopped').filter((id) => ledger.completed.has(id))).toEqual([]);
    expect([...ledger.completed.keys()].filter((id) => !answers.has(id))).toEqual([]);
  });

  it('leaves nothing in the queue or the dead-letter queue', async () => {
    // Assess
    expect(await queueDepth(env.sqs, env.queue('webhooks').queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(await queueDepth(env.sqs, env.deadLetterQueue('webhooks').queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });
});
