// `npm run test:load [-- --count N --concurrency C --timeout SECONDS]` (or LOAD_COUNT, LOAD_CONCURRENCY,
// LOAD_TIMEOUT_SECONDS): N signed webhooks at concurrency C over HTTP through `npm start` (the local runner, in a
// child process, on 127.0.0.1), then counts from the runner's own log lines and queues that every accepted webhook
// was processed exactly once. Prints throughput and ingress latency; exits 1 if anything was lost or doubled,
// 2 on bad options, 3 when the hard timeout struck.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { emptyOutcomes, leftInQueues, LoadTarget, signedEvents, startLoadTarget, tallyLogLines } from './load-runner';
import { percentile, sendWebhooks } from './send-webhooks';

interface LoadOptions {
  readonly count: number;
  readonly concurrency: number;
  readonly timeoutSeconds: number;
}

const DEFAULTS: LoadOptions = { count: 5000, concurrency: 50, timeoutSeconds: 300 };
/** How often the runner's log lines and queues are checked while waiting for the consumer. */
const POLL_MS = 250;

function readOptions(argv: readonly string[], env: NodeJS.ProcessEnv): LoadOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { count: { type: 'string' }, concurrency: { type: 'string' }, timeout: { type: 'string' } },
  });
  const whole = (name: string, text: string | undefined, fallback: number, max: number): number => {
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max)
      throw new Error(`${name} is "${text}"; use a whole number from 1 to ${max}.`);
    return value;
  };
  return {
    count: whole('--count / LOAD_COUNT', values.count ?? env.LOAD_COUNT, DEFAULTS.count, 1_000_000),
    concurrency: whole(
      '--concurrency / LOAD_CONCURRENCY',
      values.concurrency ?? env.LOAD_CONCURRENCY,
      DEFAULTS.concurrency,
      1000,
    ),
    timeoutSeconds: whole(
      '--timeout / LOAD_TIMEOUT_SECONDS',
      values.timeout ?? env.LOAD_TIMEOUT_SECONDS,
      DEFAULTS.timeoutSeconds,
      3600,
    ),
  };
}

async function runLoad(options: LoadOptions, target: LoadTarget): Promise<boolean> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  process.stdout.write(`Signing ${options.count} events…\n`);
  const webhooks = signedEvents(target.keys, options.count);
  process.stdout.write(
    `Sending them to ${target.webhookUrl.replace(/\/[^/]+\/fluent\//, '/<secret>/fluent/')} at concurrency ${options.concurrency}…\n`,
  );
  const started = performance.now();
  const sent = await sendWebhooks(target.webhookUrl, webhooks, options.concurrency);
  const acceptedIds = webhooks.filter((_, index) => sent.answers[index]?.status === 200).map((webhook) => webhook.id);

  // Wait (bounded) until the consumer has processed every accepted webhook and both queues are empty.
  const outcomes = emptyOutcomes();
  let read = 0;
  let left = await leftInQueues(target);
  let drainedAt = performance.now();
  for (;;) {
    read = tallyLogLines(target.runner.lines(), read, outcomes);
    left = await leftInQueues(target);
    if (acceptedIds.every((id) => outcomes.processed.has(id)) && left.queue === 0) {
      drainedAt = performance.now();
      break;
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  // Lines printed just before the queue emptied may still be in the pipe: read once more after a poll interval.
  await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  read = tallyLogLines(target.runner.lines(), read, outcomes);

  const statuses = new Map<number, number>();
  for (const answer of sent.answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  const sentIds = new Set(webhooks.map((webhook) => webhook.id));
  const lost = acceptedIds.filter((id) => !outcomes.processed.has(id));
  const doubled = [...outcomes.processed].filter(([, times]) => times > 1).map(([id]) => id);
  const strangers = [...outcomes.processed.keys()].filter((id) => !sentIds.has(id));
  const processedOnce = acceptedIds.filter((id) => outcomes.processed.get(id) === 1).length;
  const latencies = sent.answers.map((answer) => answer.latencyMs);
  const timedOut = Date.now() > deadline;

  const rows: Array<[string, string]> = [
    ['webhooks sent', String(options.count)],
    ['concurrency', String(options.concurrency)],
    [
      'HTTP answers',
      [...statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, times]) => `${status}: ${times}`)
        .join(', '),
    ],
    ['accepted (200)', String(acceptedIds.length)],
    ['accepted per the receiver log', String(outcomes.acceptedByReceiver.size)],
    ['processed exactly once', String(processedOnce)],
    ['lost (accepted, never processed)', String(lost.length)],
    ['processed more than once', String(doubled.length)],
    ['processed but never sent', String(strangers.length)],
    ['redeliveries skipped as duplicates', String(outcomes.duplicatesSkipped)],
    ['consumer failures (retried)', String(outcomes.consumerFailures)],
    ['left in queue / DLQ', `${left.queue} / ${left.deadLetterQueue}`],
    [
      'ingress throughput',
      `${Math.round((acceptedIds.length * 1000) / sent.elapsedMs)} accepted webhooks/s (${(sent.elapsedMs / 1000).toFixed(1)} s)`,
    ],
    [
      'end-to-end throughput',
      `${Math.round((processedOnce * 1000) / (drainedAt - started))} processed webhooks/s (${((drainedAt - started) / 1000).toFixed(1)} s until drained)`,
    ],
    [
      'ingress latency p50 / p99 / max',
      [0.5, 0.99, 1].map((fraction) => `${percentile(latencies, fraction).toFixed(1)} ms`).join(' / '),
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(`\n${rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n')}\n\n`);

  const problems = [
    timedOut ? `the consumer had not drained the queue within ${options.timeoutSeconds} s` : '',
    lost.length > 0 ? `${lost.length} accepted webhooks were never processed (first: ${lost[0]})` : '',
    doubled.length > 0 ? `${doubled.length} webhooks were processed more than once (first: ${doubled[0]})` : '',
    strangers.length > 0 ? `${strangers.length} processed events were never sent` : '',
    outcomes.acceptedByReceiver.size !== acceptedIds.length
      ? 'the receiver logged a different number of accepted webhooks than were answered 200'
      : '',
    left.deadLetterQueue > 0 ? `${left.deadLetterQueue} messages are in the dead-letter queue` : '',
  ].filter(Boolean);
  for (const problem of problems) process.stdout.write(`FAILED: ${problem}\n`);
  if (problems.length === 0)
    process.stdout.write('OK: every accepted webhook was processed exactly once; nothing lost, nothing doubled.\n');
  return problems.length === 0;
}

async function main(): Promise<number> {
  let options: LoadOptions;
  try {
    options = readOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  // The hard timeout: whatever hangs, the process ends (the runner child goes with our stdin-less exit via SIGTERM below).
  let target: LoadTarget | undefined;
  const hardStop = setTimeout(
    () => {
      process.stderr.write(
        `Hard timeout: the load test did not finish within ${options.timeoutSeconds + 60} s; stopping.\n`,
      );
      void (target?.stop() ?? Promise.resolve()).finally(() => process.exit(3));
    },
    (options.timeoutSeconds + 60) * 1000,
  );
  hardStop.unref();
  try {
    process.stdout.write('Starting the local runner (npm start) on 127.0.0.1…\n');
    target = await startLoadTarget();
    return (await runLoad(options, target)) ? 0 : 1;
  } finally {
    await target?.stop();
    clearTimeout(hardStop);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`The load test failed to run: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
