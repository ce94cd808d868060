import type { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FluentSignatureVerifier, MAX_SQS_MESSAGE_BYTES, SignaturePolicy } from '../../../lambdas/core';
import type { ArchivedWebhook, HistoryKey, HistoryStore } from '../../../lambdas/contract/history';
import { bufferedIo } from '../../../tools/cli/cli-io';
import type { ReplayCandidate } from '../../../tools/cli/replay/replay-plan';
import { runReplay } from '../../../tools/cli/replay/replay-run';
import { sendBatchesOf } from '../../../tools/cli/replay/send-batches';
import { archivedEntry } from '../../support/archived-entries';
import { testKeyPair } from '../../support/test-keys';

/** The error paths of runReplay; what it sends on the way that works is tested on the emulators (integration). */
describe('Function: runReplay when a batch read or a send fails', () => {
  const verifier = new FluentSignatureVerifier({
    publicKeys: [testKeyPair().parsed],
    policy: SignaturePolicy.PREFER_SHA512,
  });
  const archived = Array.from({ length: 25 }, (_, index) => archivedEntry({ eventId: `e-${index}` }));
  const candidates: ReplayCandidate[] = archived.map((entry) => ({
    eventId: entry.record.eventId,
    source: entry.record,
  }));
  const ids = (from: number, to: number) => candidates.slice(from, to).map((candidate) => candidate.eventId);

  /** A history holding `held` (by default `archived`), whose `failingRead`-th batch read (from 0) fails. */
  function history(
    failingRead?: number,
    held: readonly ArchivedWebhook[] = archived,
  ): Pick<HistoryStore, 'archivedMany'> {
    let reads = 0;
    return {
      archivedMany: async (keys: readonly HistoryKey[]): Promise<Array<ArchivedWebhook | undefined>> => {
        reads += 1;
        if (reads - 1 === failingRead) throw new Error('ProvisionedThroughputExceededException');
        return keys.map((key) => held.find((entry) => entry.record.eventId === key.eventId));
      },
    };
  }

  /** Each SendMessageBatch's entry ids, in the order they were sent. */
  let requests: string[][] = [];

  /** An SQS client that answers each SendMessageBatch with `answer` (by the request's place, from 0). */
  function sqs(answer: (request: number, ids: string[]) => object | Error): SQSClient {
    return {
      send: async (command: SendMessageBatchCommand) => {
        const entryIds = (command.input.Entries ?? []).map((entry) => entry.Id!);
        expect(entryIds.every((id) => /^[A-Za-z0-9_-]{1,80}$/.test(id))).toBe(true);
        expect(new Set(entryIds).size).toBe(entryIds.length);
        const answered = answer(requests.length, entryIds);
        requests.push(entryIds);
        if (answered instanceof Error) throw answered;
        return answered;
      },
    } as unknown as SQSClient;
  }
  const allQueued = (_: number, entryIds: string[]) => ({ Successful: entryIds.map((Id) => ({ Id })), Failed: [] });
  /**
   * Refuses entry `id` with `failure` in the requests `when` picks, answers nothing for the entries `unanswered`, and
   * queues every other entry.
   */
  const refusing =
    (id: string, failure: object, when: (request: number) => boolean, unanswered: string[] = []) =>
    (request: number, entryIds: string[]) =>
      entryIds.includes(id) && when(request)
        ? {
            Successful: entryIds.filter((other) => other !== id && !unanswered.includes(other)).map((Id) => ({ Id })),
            Failed: [{ Id: id, ...failure }],
          }
        : allQueued(request, entryIds);
  const PASSING_FAULT = { SenderFault: false, Code: 'InternalError', Message: 'try again' };

  /** The waits runReplay asked for: none for pacing, as the clock moves a second each time it is read. */
  let waits: number[] = [];
  let clock = 0;
  beforeEach(() => {
    waits = [];
    clock = 0;
    requests = [];
  });
  const replay = (store: Pick<HistoryStore, 'archivedMany'>, client: SQSClient) =>
    runReplay({
      store,
      verifier,
      queue: { sqs: client, url: 'http://127.0.0.1:1/000000000000/replays' },
      candidates,
      rate: 3000,
      io: bufferedIo(),
      now: () => (clock += 1000),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

  it('fails each event of a batch whose archived copies cannot be read, by id, and goes on with the next batches', async () => {
    // Act
    const result = await replay(history(1), sqs(allQueued));

    // Assess
    expect(result.replayed).toEqual([...ids(0, 10), ...ids(20, 25)]);
    expect(result.failed).toEqual(
      ids(10, 20).map((eventId) => ({
        eventId,
        why: 'could not read its archived copy: ProvisionedThroughputExceededException',
      })),
    );
    expect(result.refused).toEqual([]);
  });

  it('fails each event of a SendMessageBatch that fails as a whole, and goes on with the next batches', async () => {
    // Act
    const result = await replay(
      history(),
      sqs((request, entryIds) =>
        request === 1 ? new Error('Access to the resource is denied.') : allQueued(request, entryIds),
      ),
    );

    // Assess
    expect(result.replayed).toEqual([...ids(0, 10), ...ids(20, 25)]);
    expect(result.failed).toEqual(
      ids(10, 20).map((eventId) => ({ eventId, why: 'SendMessage failed: Access to the resource is denied.' })),
    );
  });

  it("fails an entry SQS refuses for the sender's fault at once, by id, without sending it again, and one SQS does not answer for", async () => {
    // Act
    const senderFault = { SenderFault: true, Code: 'InvalidParameterValue', Message: 'bad attribute' };
    const result = await replay(history(), sqs(refusing('2', senderFault, (request) => request === 0, ['5'])));

    // Assess
    expect(result.failed).toEqual([
      { eventId: 'e-2', why: 'SendMessage failed: InvalidParameterValue: bad attribute' },
      { eventId: 'e-5', why: 'SendMessage failed: SQS answered nothing for it' },
    ]);
    expect(result.replayed).toEqual(ids(0, 25).filter((id) => id !== 'e-2' && id !== 'e-5'));
    expect(requests.map((entryIds) => entryIds.length)).toEqual([10, 10, 5]);
    expect(waits).toEqual([]);
  });

  it('sends again, after a wait, only the entries SQS refused for a passing fault of its own, and counts them replayed once queued', async () => {
    // Act
    const result = await replay(history(), sqs(refusing('2', PASSING_FAULT, (request) => request === 0)));

    // Assess
    expect(result.failed).toEqual([]);
    expect([...result.replayed].sort()).toEqual([...ids(0, 25)].sort());
    expect(requests.slice(0, 2)).toEqual([['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], ['2']]);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
  });

  it('fails by id an entry SQS keeps refusing for a passing fault, after three more tries with growing waits', async () => {
    // Act
    const result = await replay(history(), sqs(refusing('7', PASSING_FAULT, (request) => request < 4)));

    // Assess
    expect(result.failed).toEqual([{ eventId: 'e-7', why: 'SendMessage failed: InternalError: try again' }]);
    expect(result.replayed).toEqual(ids(0, 25).filter((id) => id !== 'e-7'));
    expect(requests.slice(1, 4)).toEqual([['7'], ['7'], ['7']]);
    expect(waits).toHaveLength(3);
    expect(waits[2]).toBeGreaterThan(waits[0]);
  });

  it('refuses by id an event whose history record is gone, saying so, and one whose record has no archived body', async () => {
    // Arrange: e-3 expired (or is not yet readable); e-4 was too large to archive.
    const held = archived
      .filter((entry) => entry.record.eventId !== 'e-3')
      .map((entry) => (entry.record.eventId === 'e-4' ? { ...entry, rawBody: undefined } : entry));

    // Act
    const result = await replay(history(undefined, held), sqs(allQueued));

    // Assess
    expect(result.refused).toEqual([
      {
        eventId: 'e-3',
        why: 'its history record is gone or not yet readable (run again; if it stays missing, check the history retention)',
      },
      { eventId: 'e-4', why: 'no archived copy (the body was too large to archive)' },
    ]);
    expect(result.replayed).toEqual(ids(0, 25).filter((id) => id !== 'e-3' && id !== 'e-4'));
    expect(result.failed).toEqual([]);
  });
});

describe('Function: sendBatchesOf', () => {
  const sized = (...bytes: number[]) => bytes.map((size, index) => ({ index, bytes: size }));
  const places = (batches: Array<Array<{ index: number }>>) =>
    batches.map((batch) => batch.map((entry) => entry.index));

  it('puts at most 10 messages in a request, in order', () => {
    expect(places(sendBatchesOf(sized(...Array<number>(23).fill(100))))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
      [20, 21, 22],
    ]);
  });

  it("starts a new request when the next message would take the request over SQS's batch size, and sends one too large alone", () => {
    const third = Math.floor(MAX_SQS_MESSAGE_BYTES / 3);
    expect(
      places(sendBatchesOf(sized(third, third, third, 10, MAX_SQS_MESSAGE_BYTES + 1, 10, MAX_SQS_MESSAGE_BYTES, 1))),
    ).toEqual([[0, 1, 2], [3], [4], [5], [6], [7]]);
  });

  it('makes no request of no messages', () => {
    expect(sendBatchesOf([])).toEqual([]);
  });
});
