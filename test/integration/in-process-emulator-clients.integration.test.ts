import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const REPO_ROOT = join(__dirname, '..', '..');
/** Jest's module loader cannot load fauxqs (ESM) nor light-my-request (which requires an ES module): a tsx process. */
const FIXTURE = join(__dirname, 'fixtures', 'in-process-clients.ts');
const run = promisify(execFile);

interface Calls {
  readonly sqs: Record<string, unknown> & { readonly queueUrl: string; readonly sentMessageId: string };
  readonly dynamoDb: Record<string, unknown> & { readonly endpoint: string };
  readonly answers: ReadonlyArray<{ readonly buffer: boolean; readonly ownBytes: boolean }>;
}

describe.each([
  {
    where: 'in the same thread (tsx, jest)',
    mode: 'same',
    answers: { buffer: true },
    refusedOnceStopped: (endpoint: string) => `connect ECONNREFUSED ${new URL(endpoint).host}`,
  },
  {
    // The built runner's way: every request and answer crosses to the emulator's thread as a message.
    where: 'on worker threads (the built runner)',
    mode: 'thread',
    answers: { buffer: false, ownBytes: true },
    refusedOnceStopped: () => 'The dynamodb emulator thread has ended.',
  },
])('in-process emulator clients, the emulators $where', ({ mode, answers, refusedOnceStopped }) => {
  let calls: Calls;
  beforeAll(async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', FIXTURE, mode], {
      cwd: REPO_ROOT,
      timeout: 60_000,
    });
    calls = JSON.parse(stdout) as Calls;
  }, 90_000);

  it('SQS: sends, receives and deletes in the same queues as the port, answers its errors, and is refused while stopped', () => {
    expect(calls.sqs).toEqual({
      queueUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\/in-process$/),
      sentMessageId: expect.any(String),
      // Multi-byte text both ways; the SDK checked the MD5 of each received message's body and attributes.
      receivedOverPort: [{ messageId: calls.sqs.sentMessageId, body: '{"note":"parcel 📦 délivré"}', route: 'orders' }],
      receivedInProcess: ['sent over the port'],
      deleted: { successful: 1, failed: 0 },
      missingQueue: { name: 'QueueDoesNotExist', message: 'The specified queue does not exist.' },
      // As a closed port answers: ECONNREFUSED, which the SDK retries as a network error.
      whileStopped: {
        name: 'Error',
        code: 'ECONNREFUSED',
        message: `connect ECONNREFUSED ${new URL(calls.sqs.queueUrl).host}`,
      },
      afterRestart: 'string',
    });
  });

  it("DynamoDB: writes the tables the port reads, a refused condition is the SDK's exception, and is refused once stopped", () => {
    expect(calls.dynamoDb).toEqual({
      endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      secondClaim: { name: 'ConditionalCheckFailedException' },
      readOverPort: 'first ✓',
      queried: ['a', 'b', 'c'],
      afterStop: { name: 'Error', code: 'ECONNREFUSED', message: refusedOnceStopped(calls.dynamoDb.endpoint) },
    });
  });

  it("hands the SDK each answer (from a thread: bytes of their own, not a view into Node's buffer pool)", () => {
    expect(calls.answers.length).toBeGreaterThanOrEqual(9);
    for (const answer of calls.answers) expect(answer).toMatchObject(answers);
  });
});
