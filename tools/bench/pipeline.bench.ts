import { ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { createReceiverHandler } from '../../lambdas/receiver/create-receiver-handler';
import { FluentSignatureVerifier, parseReceiverSettings } from '../../lambdas/core';
import { createConsumerHandler } from '../../lambdas/consumer/create-consumer-handler';
import { startDynamoDbEmulator } from '../local/dynamodb-emulator';
import { createLambdaContext } from '../local/lambda-context';
import { matchWebhookResource, toApiGatewayProxyEvent } from '../local/api-gateway-event';
import { emulatorClientConfig, inProcessClientConfig } from '../local/local-aws-config';
import { startSqsEmulator } from '../local/sqs-emulator';
import { createLogger, createMetrics } from '../../lambdas/shared/observability';
import { emptyOutcomes, LoadTarget, signedEvents, startLoadTarget, tallyLogLines } from '../load/load-runner';
import type { LogLine } from '../../test/e2e/local-runner-process';
import { DecisionMessage } from '../../lambdas/consumer/process-record';
import { OutgoingWebhook, percentile, sendWebhooks } from '../load/send-webhooks';
import { signedEventRecord } from '../../test/support/sqs-records';
import type { Bench, BenchRow } from './bench';
import { median } from './measure';
import { processCpuMs } from './process-cpu';
import { BENCH_ACCOUNT, BENCH_STAGE, eventOfSize, fluentRawHeaders, logsToDevNull } from './webhook-request';

const ROUNDS = 5;
const PER_ROUND = 600;
/**
 * Rounds the runner takes before the timed ones. It keeps getting faster through the first few thousand events (V8
 * still compiling hot code, by its helper threads' CPU): CPU per event 6-9 ms over the first 600, about 3 from about
 * 2,400 on (docs/benchmarks.md, "Pipeline: the warm-up"). Each is timed and shown, so every run shows its own warm-up.
 */
const WARM_UP_ROUNDS = 5;
/** Requests that warm up the load generator's own HTTP client on the no-work server before anything is timed. */
const CLIENT_WARM_UP = 200;
const CONCURRENCY = 50;
const STAGE_CALLS = 2000;
const DRAIN_TIMEOUT_MS = 60_000;

/** The baseline: node:http on 127.0.0.1 reading the body and answering 200 with no work. Exits when stdin closes. */
const NO_WORK_SERVER = `
const server = require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"status":"accepted"}'); });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('close', () => process.exit(0)).resume();`;

async function startNoWorkServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', NO_WORK_SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`The baseline server exited with ${code}.`)));
  });
  return { url: `http://127.0.0.1:${port.trim()}/`, child };
}

/** Median wall time of `calls` sequential calls, in milliseconds. */
async function timeEach(calls: number, operation: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let call = 0; call < calls; call += 1) {
    const started = performance.now();
    await operation();
    times.push(performance.now() - started);
  }
  return median(times);
}

/** Where one webhook's time goes inside the runner, stage by stage, each timed alone in this process. */
async function stageTimes(target: LoadTarget): Promise<BenchRow[]> {
  const body = eventOfSize(1024);
  const rawHeaders = fluentRawHeaders(body, target.keys);
  const rawUrl = `/${BENCH_STAGE.pathSecret}/fluent/orders`;
  const match = matchWebhookResource(rawUrl, BENCH_STAGE.pathSecret);
  if (match === undefined) throw new Error('The bench URL does not match the webhook resource.');
  const request = {
    method: 'POST',
    rawUrl,
    rawHeaders,
    body,
    sourceIp: '127.0.0.1',
    sourcePort: 50000,
    localPort: 3000,
    requestId: 'r-1',
    receivedAt: new Date(),
  };
  const event = toApiGatewayProxyEvent(request, match, BENCH_STAGE);
  const settings = parseReceiverSettings({ publicKeys: target.keys.publicKeyBase64, accountIds: BENCH_ACCOUNT });
  const verifier = new FluentSignatureVerifier({ publicKeys: settings.publicKeys });
  const queueStub = { send: async () => ({ MessageId: 'm-1' }) } as unknown as SQSClient;
  const handler = createReceiverHandler({
    settings,
    sqsClient: queueStub,
    queueUrl: 'http://stub',
    logger: createLogger('receiver'),
    metrics: createMetrics('receiver'),
  });

  const dynamoDb = await startDynamoDbEmulator();
  await dynamoDb.createIdempotencyTable('bench-idempotency');
  const dynamoDbClient = new DynamoDBClient(inProcessClientConfig(dynamoDb, 'us-east-1'));
  const consumer = createConsumerHandler({
    settings,
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: 'bench-idempotency', awsSdkV3Client: dynamoDbClient }),
    handlers: { default: async () => undefined },
    logger: createLogger('consumer'),
    metrics: createMetrics('consumer'),
  });
  const consumerContext = createLambdaContext({
    functionName: 'consumer',
    timeoutSeconds: 30,
    memorySizeMb: 512,
    region: 'us-east-1',
    accountId: '000000000000',
  });
  let recordNumber = 0;
  const oneRecord = () => {
    recordNumber += 1;
    const { record } = signedEventRecord(target.keys.privateKey, { id: `stage-${recordNumber}` });
    return consumer({ Records: [record] }, consumerContext);
  };
  const sqs = await startSqsEmulator();
  const queue = await sqs.createQueue('bench-stage');
  // As the runner's clients reach the emulators (in-process), and over the emulator's port for comparison.
  const client = new SQSClient(inProcessClientConfig(sqs, sqs.region));
  const overPort = new SQSClient(emulatorClientConfig(sqs.endpoint, sqs.region));
  const restoreOutput = logsToDevNull();
  try {
    const stages: Array<[string, () => unknown]> = [
      ['gateway: proxy event from the HTTP request', () => toApiGatewayProxyEvent(request, match, BENCH_STAGE)],
      ['verify: the signature alone', () => verifier.verify(Buffer.from(event.body ?? '', 'base64'), event.headers)],
      ['handler: all but SendMessage (queue stub, logs)', () => handler(event)],
      [
        'SendMessage round trip (SDK + emulator in-process, same thread)',
        () => client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body.toString('utf8') })),
      ],
      [
        'SendMessage round trip over the emulator port (loopback HTTP)',
        () => overPort.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body.toString('utf8') })),
      ],
      ['consumer: one record, idempotency put + update (dynalite in memory, in-process)', oneRecord],
    ];
    const rows: BenchRow[] = [];
    for (const [label, operation] of stages) {
      await timeEach(STAGE_CALLS / 4, operation);
      const ms = await timeEach(STAGE_CALLS, operation);
      rows.push({ label: `  stage: ${label}`, values: [1000 / ms, `${(ms * 1000).toFixed(1)} µs`, '', ''] });
    }
    return rows;
  } finally {
    restoreOutput();
    client.destroy();
    overPort.destroy();
    dynamoDbClient.destroy();
    await sqs.stop();
    await dynamoDb.stop();
  }
}

/** When the runner logged the last of these events' `webhook processed` lines (epoch ms). */
function lastDecisionAt(lines: readonly LogLine[], ids: readonly string[]): number {
  const wanted = new Set(ids);
  // A line without a readable timestamp makes the round's end unknown (NaN), never earlier than it was.
  let last = Number.NEGATIVE_INFINITY;
  for (const line of lines) {
    if (line.message !== DecisionMessage.PROCESSED || !wanted.has(String(line.eventId))) continue;
    last = Math.max(last, Date.parse(String(line.timestamp)));
  }
  return last === Number.NEGATIVE_INFINITY ? Number.NaN : last;
}

interface RoundResult {
  readonly perSecond: number;
  readonly latencies: readonly number[];
}

async function round(url: string, webhooks: readonly OutgoingWebhook[]): Promise<RoundResult> {
  const sent = await sendWebhooks(url, webhooks, CONCURRENCY);
  const refused = sent.answers.filter((answer) => answer.status !== 200);
  if (refused.length > 0)
    throw new Error(
      `${refused.length} of ${webhooks.length} webhooks were not accepted (first: ${refused[0]?.status} ${refused[0]?.error ?? ''}).`,
    );
  return {
    perSecond: (webhooks.length * 1000) / sent.elapsedMs,
    latencies: sent.answers.map((answer) => answer.latencyMs),
  };
}

export const pipelineBench: Bench = {
  name: 'pipeline',
  async run() {
    const baseline = await startNoWorkServer();
    let target: LoadTarget | undefined;
    try {
      target = await startLoadTarget();
      const runner = target;
      const outcomes = emptyOutcomes();
      let read = 0;
      const drained = async (ids: readonly string[]): Promise<void> => {
        const deadline = Date.now() + DRAIN_TIMEOUT_MS;
        for (;;) {
          read = tallyLogLines(runner.runner.lines(), read, outcomes);
          if (ids.every((id) => outcomes.processed.has(id))) return;
          if (Date.now() > deadline)
            throw new Error(`The runner had not processed a round within ${DRAIN_TIMEOUT_MS} ms.`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };

      /**
       * Sends a round to the runner and waits until it is processed: its rates, and the CPU used meanwhile by the runner
       * (all its threads) and by this process (the HTTP client and reading the runner's log lines), on the same cores.
       */
      const processedRound = async (webhooks: ReturnType<typeof signedEvents>) => {
        const runnerCpuBefore = processCpuMs(runner.runner.pid) ?? Number.NaN;
        const loadCpuBefore = process.cpuUsage();
        const startedAt = Date.now();
        const accepted = await round(runner.webhookUrl, webhooks);
        const ids = webhooks.map((webhook) => webhook.id);
        await drained(ids);
        // The runner logs on this machine's clock: the round's last decision line, not when the poll above noticed it.
        const processedPerSecond = (webhooks.length * 1000) / (lastDecisionAt(runner.runner.lines(), ids) - startedAt);
        const loadCpu = process.cpuUsage(loadCpuBefore);
        return {
          accepted,
          processedPerSecond,
          runnerCpuMs: (processCpuMs(runner.runner.pid) ?? Number.NaN) - runnerCpuBefore,
          loadCpuMs: (loadCpu.user + loadCpu.system) / 1000,
        };
      };
      const cpuPerEvent = (ms: number, events: number) => `${(ms / events).toFixed(2)} ms CPU`;

      await round(baseline.url, signedEvents(target.keys, CLIENT_WARM_UP, 'client-warm-up'));
      const warmUpRows: BenchRow[] = [];
      for (let index = 0; index < WARM_UP_ROUNDS; index += 1) {
        const warmUp = await processedRound(signedEvents(target.keys, PER_ROUND, `warm-up-${index}`));
        warmUpRows.push({
          label: `  warm-up: processed, events ${index * PER_ROUND + 1}-${(index + 1) * PER_ROUND} after the runner started`,
          values: [
            warmUp.processedPerSecond,
            Number.isNaN(warmUp.runnerCpuMs) ? '' : cpuPerEvent(warmUp.runnerCpuMs, PER_ROUND),
            '',
            '',
          ],
        });
      }

      const noWork: RoundResult[] = [];
      const ours: RoundResult[] = [];
      const drainRates: number[] = [];
      // CPU summed over the timed rounds, the runner's and this process's (the no-work server's is not counted).
      let runnerCpuMs = 0;
      let loadCpuMs = 0;
      for (let index = 0; index < ROUNDS; index += 1) {
        const webhooks = signedEvents(target.keys, PER_ROUND, `round-${index}`);
        noWork.push(await round(baseline.url, webhooks));
        // Every round starts with an idle consumer and ends when its webhooks are processed.
        const timed = await processedRound(webhooks);
        ours.push(timed.accepted);
        drainRates.push(timed.processedPerSecond);
        runnerCpuMs += timed.runnerCpuMs;
        loadCpuMs += timed.loadCpuMs;
      }
      const events = ROUNDS * PER_ROUND;
      const cpuRow = (label: string, ms: number): BenchRow[] =>
        Number.isNaN(ms) ? [] : [{ label, values: [(events * 1000) / ms, cpuPerEvent(ms, events), '', ''] }];
      const latencies = (results: readonly RoundResult[], fraction: number) =>
        percentile(
          results.flatMap((result) => result.latencies),
          fraction,
        );
      const ratio = median(ours.map((result, index) => result.perSecond / (noWork[index] as RoundResult).perSecond));
      const rows: BenchRow[] = [
        {
          label: 'node:http on 127.0.0.1, 200 with no work',
          values: [
            median(noWork.map((result) => result.perSecond)),
            latencies(noWork, 0.5),
            latencies(noWork, 0.99),
            1,
          ],
        },
        {
          label: 'local runner (npm start): accepted',
          values: [median(ours.map((result) => result.perSecond)), latencies(ours, 0.5), latencies(ours, 0.99), ratio],
        },
        {
          label: 'local runner: processed, from first send to the last decision line',
          values: [median(drainRates), '', '', ''],
        },
        ...cpuRow('  runner CPU per processed event, all its threads', runnerCpuMs),
        ...cpuRow('  load generator CPU per event (HTTP client, log lines)', loadCpuMs),
        ...warmUpRows,
        ...(await stageTimes(runner)),
      ];
      return {
        title: `Webhooks per second over HTTP through the local runner, against the same load on a node:http server doing no work (${CONCURRENCY} concurrent)`,
        columns: ['per s', 'p50 ms', 'p99 ms', '× no-work server'],
        rows,
        notes: [
          `${ROUNDS} rounds of ${PER_ROUND} distinct signed 1 KiB-ish events after ${WARM_UP_ROUNDS} warm-up rounds of as many (${WARM_UP_ROUNDS * PER_ROUND} events, for the runner's JIT; each is a warm-up row, with the runner's CPU per event), each round sent to both servers by the same keep-alive client; "× no-work server" and the rates are medians of the rounds. Latency is per request, client side, over all rounds.`,
          'The runner is one Node.js process: the API Gateway stand-in, the verifying handler, the poller and consumer (up to 5 batches at once) and all JSON logging on its main thread, the SQS emulator (fauxqs, SQLite) and the DynamoDB emulator (dynalite, LevelDB) each on a worker thread. Its consumer runs while webhooks arrive; each round waits for it to finish before the next.',
          'CPU per event: the runner process (every thread: main, the emulator threads, V8 and libuv helpers) and this process, from /proc (Linux only; left out elsewhere), over the timed rounds; "per s" there is events per CPU-second, so two cores give at most twice that when nothing else runs. It moves less than the rates with what else the machine runs, though contention still inflates it.',
          `Stages are timed one call after another in this process (median of ${STAGE_CALLS}): "per s" there is what one core could do of that stage alone. In AWS these stages run on separate managed services and Lambda instances, in parallel.`,
        ],
      };
    } finally {
      await target?.stop();
      baseline.child.stdin?.end();
      baseline.child.kill();
    }
  },
};
