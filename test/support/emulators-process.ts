// Runs the SQS and DynamoDB emulators in a process of their own, for tests that cannot load fauxqs (ESM-only)
// themselves, such as jest's. Start with `node --import tsx test/support/emulators-process.ts '<EmulatorsConfig JSON>'`.
// Prints one EmulatorsReady JSON line, then answers commands on stdin; exits when stdin closes, so it
// never outlives the process that started it.
import { createInterface } from 'node:readline';
import { startDynamoDbEmulator } from '../../tools/local/dynamodb-emulator';
import {
  DEFAULT_MAX_RECEIVE_COUNT,
  EmulatorsCommand,
  EmulatorsCommandName,
  EmulatorsCommandResult,
  EmulatorsConfig,
  EmulatorsReady,
} from './emulators-protocol';
import { EmulatedQueue, redrivePolicy, startSqsEmulator } from '../../tools/local/sqs-emulator';

async function main(config: EmulatorsConfig): Promise<void> {
  const sqs = await startSqsEmulator({ port: config.sqsPort, region: config.region, dataDir: config.sqsDataDir });
  const dynamoDb = await startDynamoDbEmulator({ port: config.dynamoDbPort, path: config.dynamoDbPath });

  const queues: Record<string, EmulatedQueue> = {};
  for (const spec of config.queues ?? []) {
    const attributes = { ...spec.attributes };
    if (spec.deadLetterQueue !== undefined) {
      const deadLetterQueue = queues[spec.deadLetterQueue];
      if (deadLetterQueue === undefined) {
        throw new Error(
          `Queue ${spec.name} names dead-letter queue ${spec.deadLetterQueue}, which must be listed before it.`,
        );
      }
      attributes.RedrivePolicy = redrivePolicy(
        deadLetterQueue.queueArn,
        spec.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
      );
    }
    queues[spec.name] = await sqs.createQueue(spec.name, attributes);
  }
  const idempotencyTables = config.idempotencyTables ?? [];
  for (const table of idempotencyTables) await dynamoDb.createIdempotencyTable(table);
  for (const table of config.historyTables ?? []) await dynamoDb.createHistoryTable(table);
  for (const bucket of config.buckets ?? []) await sqs.createBucket(bucket);

  const shutdown = async (): Promise<never> => {
    await Promise.allSettled([sqs.stop(), dynamoDb.stop()]);
    process.exit(0);
  };
  const commands: Record<string, () => Promise<unknown>> = {
    [EmulatorsCommand.STOP_SQS]: () => sqs.stop(),
    [EmulatorsCommand.RESTART_SQS]: () => sqs.restart(),
    [EmulatorsCommand.EXIT]: shutdown,
  };

  // Commands run one at a time, in the order sent, so `stop-sqs` then `restart-sqs` never overlap.
  let previous: Promise<void> = Promise.resolve();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const command = line.trim();
    if (command === '') return;
    previous = previous.then(async () => {
      const run = commands[command];
      if (run === undefined) {
        reply({ failed: command, error: `Unknown command; use one of ${Object.keys(commands).join(', ')}.` });
        return;
      }
      try {
        await run();
        reply({ done: command as EmulatorsCommandName });
      } catch (error) {
        reply({ failed: command, error: (error as Error).message });
      }
    });
  });
  lines.on('close', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());

  const ready: EmulatorsReady = {
    ready: true,
    sqsEndpoint: sqs.endpoint,
    dynamoDbEndpoint: dynamoDb.endpoint,
    region: sqs.region,
    queues,
    idempotencyTables,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

function reply(result: EmulatorsCommandResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function readConfig(): EmulatorsConfig {
  const text = process.argv[2] ?? '{}';
  try {
    return JSON.parse(text) as EmulatorsConfig;
  } catch {
    throw new Error('The first argument must be the emulators configuration as JSON (see EmulatorsConfig).');
  }
}

main(readConfig()).catch((error: unknown) => {
  process.stderr.write(`Emulators failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
