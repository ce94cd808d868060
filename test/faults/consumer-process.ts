// A consumer in a process of its own, so that a test can SIGKILL it in the middle of a batch: the real poller
// feeding the real consumer handler, idempotent over DynamoDB. Start with
// `node --import tsx test/faults/consumer-process.ts '<ConsumerProcessConfig JSON>'`. Prints {"ready":true}
// on stdout once polling (other stdout lines are the consumer's JSON logs); exits when its stdin closes.
import { appendFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseReceiverSettings } from '../../lambdas/core';
import { emulatorClientConfig } from '../../tools/local/local-aws-config';
import { startConsumer } from './fault-fixtures';

export interface ConsumerProcessConfig {
  readonly sqsEndpoint: string;
  readonly dynamoDbEndpoint: string;
  readonly region: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly publicKey: string;
  readonly accountId: string;
  /** Each handler run appends `started <id>` and, when done, `finished <id>`: a record that survives SIGKILL. */
  readonly runsFile: string;
  /** The handler for this event id starts and never finishes, holding its batch open until the process dies. */
  readonly hangOn?: string;
  /** The consumer's Lambda timeout, which bounds the idempotency in-progress lock. */
  readonly timeoutSeconds: number;
  /** The history's `processed` records mark completion (as deployed), instead of Powertools' COMPLETED update. */
  readonly withHistory?: boolean;
}

export const RunMark = { STARTED: 'started', FINISHED: 'finished' } as const;

function main(config: ConsumerProcessConfig): void {
  const settings = parseReceiverSettings({ publicKeys: config.publicKey, accountIds: config.accountId });
  const mark = (what: string, id: string) => appendFileSync(config.runsFile, `${what} ${id}\n`);
  startConsumer({
    settings,
    sqsClient: new SQSClient(emulatorClientConfig(config.sqsEndpoint, config.region)),
    queue: { queueUrl: config.queueUrl, queueArn: config.queueArn },
    dynamoDbClient: new DynamoDBClient(emulatorClientConfig(config.dynamoDbEndpoint, config.region)),
    timeoutSeconds: config.timeoutSeconds,
    withHistory: config.withHistory,
    handlers: {
      default: async (event) => {
        mark(RunMark.STARTED, event.id);
        if (event.id === config.hangOn) await new Promise<never>(() => undefined);
        mark(RunMark.FINISHED, event.id);
      },
    },
  });
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  // Runs until killed (SIGKILL is the fault under test), and never outlives the test: stdin closes with it.
  process.once('SIGTERM', () => process.exit(0));
  process.stdin.once('close', () => process.exit(0)).resume();
}

main(JSON.parse(process.argv[2] ?? '{}') as ConsumerProcessConfig);
