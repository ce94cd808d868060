import type { EmulatedQueue } from '../../tools/local/sqs-emulator';

/**
 * What `emulators-process.ts` starts, passed as JSON in its first argument. Everything listens on 127.0.0.1.
 */
export interface EmulatorsConfig {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default 0 (any free port) */
  readonly sqsPort?: number;
  /** @default 0 (any free port) */
  readonly dynamoDbPort?: number;
  /** fauxqs's SQLite folder for the queues, messages and buckets; in memory when absent. */
  readonly sqsDataDir?: string;
  /** LevelDB folder for the DynamoDB tables; in memory when absent. */
  readonly dynamoDbPath?: string;
  /** Created in order, so a dead-letter queue must come before the queues that name it. */
  readonly queues?: readonly QueueSpec[];
  readonly idempotencyTables?: readonly string[];
  readonly historyTables?: readonly string[];
  /** S3 buckets, on the SQS endpoint (fauxqs answers both; path-style). */
  readonly buckets?: readonly string[];
}

export interface QueueSpec {
  readonly name: string;
  /** Queue attributes as CreateQueue takes them, for example `{ VisibilityTimeout: '1' }`. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Name of a queue created earlier that receives messages after `maxReceiveCount` receives. */
  readonly deadLetterQueue?: string;
  /** @default 3 */
  readonly maxReceiveCount?: number;
}

/** The one JSON line the process prints on stdout once everything listens. */
export interface EmulatorsReady {
  readonly ready: true;
  readonly sqsEndpoint: string;
  readonly dynamoDbEndpoint: string;
  readonly region: string;
  readonly queues: Readonly<Record<string, EmulatedQueue>>;
  readonly idempotencyTables: readonly string[];
}

/** Lines the process reads on stdin, each answered by one {@link EmulatorsCommandResult} line. */
export const EmulatorsCommand = {
  /** Stop the SQS server; queues and messages are kept. */
  STOP_SQS: 'stop-sqs',
  /** Listen again on the same port with the same queues and messages. */
  RESTART_SQS: 'restart-sqs',
  /** Stop everything and exit (closing stdin does the same). */
  EXIT: 'exit',
} as const;
export type EmulatorsCommandName = (typeof EmulatorsCommand)[keyof typeof EmulatorsCommand];

export type EmulatorsCommandResult =
  { readonly done: EmulatorsCommandName } | { readonly failed: string; readonly error: string };

export const DEFAULT_MAX_RECEIVE_COUNT = 3;
