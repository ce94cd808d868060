import { join } from 'node:path';
import { startThread } from '../../../tools/local/emulator-thread';

const WORKER = join(__dirname, 'fixtures', 'emulator-thread-worker-that-dies.cjs');

/** A thread of the fixture worker, recording each unexpected exit it reports. */
async function startDyingThread() {
  const reasons: string[] = [];
  let reported: () => void = () => undefined;
  const firstReport = new Promise<void>((resolve) => (reported = resolve));
  const thread = await startThread(
    WORKER,
    { kind: 'sqs', options: {} },
    {
      onUnexpectedExit: (reason) => {
        reasons.push(reason);
        reported();
      },
    },
  );
  return { thread, reasons, firstReport };
}

describe('Function: startThread (an emulator thread)', () => {
  it('reports a worker that exits after it started, once, with its exit code; calls then fail at once and ending it is a no-op', async () => {
    // Prepare
    const { thread, reasons, firstReport } = await startDyingThread();

    // Act
    const dying = thread.call('exit');
    await firstReport;

    // Assess
    await expect(dying).rejects.toThrow('The sqs emulator thread ended unexpectedly: exit code 3.');
    // To an SDK request in flight (emulator-request-handler.ts), a cut connection, which the SDK retries.
    await expect(dying).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(reasons).toEqual(['exit code 3']);
    await expect(thread.call('ping')).rejects.toThrow('ended unexpectedly: exit code 3');
    await expect(thread.end('close')).resolves.toBeUndefined();
  });

  it('reports a worker that throws after it started, once, with its error message', async () => {
    // Prepare
    const { thread, reasons, firstReport } = await startDyingThread();

    // Act
    const crashing = thread.call('throw');
    await firstReport;

    // Assess
    await expect(crashing).rejects.toThrow('The sqs emulator thread ended unexpectedly: the emulator crashed.');
    expect(reasons).toEqual(['the emulator crashed']);
    await expect(thread.call('ping')).rejects.toThrow('ended unexpectedly: the emulator crashed');
  });

  it("carries a failed call's error code (a stopped emulator's ECONNREFUSED) to the caller", async () => {
    // Prepare
    const { thread } = await startDyingThread();

    // Act
    const refused = thread.call('refuse');

    // Assess
    await expect(refused).rejects.toMatchObject({ message: 'connect ECONNREFUSED 127.0.0.1:1', code: 'ECONNREFUSED' });
    await expect(thread.call('ping')).resolves.toBe('ping');
    await thread.end('close');
  });

  it("sends a request's body to the thread in bytes of its own, not with the buffer pool it is a view into", async () => {
    // Prepare: a small Buffer is a view into Node's pool.
    const { thread } = await startDyingThread();
    const body = Buffer.from('{"QueueUrl":"q"}');

    // Act
    const answer = await thread.dispatch({ method: 'POST', url: '/', headers: {}, body });
    await thread.end('close');

    // Assess
    expect(body.buffer.byteLength).toBeGreaterThan(body.byteLength);
    expect(answer).toEqual({ bufferBytes: body.byteLength });
  });

  it('fails the calls still waiting when the thread is ended (a long poll), as at a closed port', async () => {
    // Prepare
    const { thread, reasons } = await startDyingThread();
    const waiting = thread.call('hang');

    // Act
    await thread.end('close');

    // Assess
    await expect(waiting).rejects.toMatchObject({
      message: 'The sqs emulator thread has ended.',
      code: 'ECONNREFUSED',
    });
    expect(reasons).toEqual([]);
  });

  it('reports nothing when the thread is ended by its last call', async () => {
    // Prepare
    const { thread, reasons } = await startDyingThread();
    await expect(thread.call('ping')).resolves.toBe('ping');

    // Act
    await thread.end('close');

    // Assess
    expect(reasons).toEqual([]);
    await expect(thread.call('ping')).rejects.toThrow('The sqs emulator thread has ended.');
    await expect(thread.call('ping')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
