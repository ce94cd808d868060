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
}

describe('in-process emulator clients (how the local runner reaches its emulators: the SDK, no socket)', () => {
  let calls: Calls;
  beforeAll(async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', FIXTURE], { cwd: REPO_ROOT, timeout: 60_000 });
    calls = JSON.parse(stdout) as Calls;
  });

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
      afterStop: {
        name: 'Error',
        code: 'ECONNREFUSED',
        message: `connect ECONNREFUSED ${new URL(calls.dynamoDb.endpoint).host}`,
      },
    });
  });
});
