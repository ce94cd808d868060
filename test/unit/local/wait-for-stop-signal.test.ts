import { Logger } from '@aws-lambda-powertools/logger';
import { waitForStopSignal } from '../../../tools/local/run-local-receiver';

describe('Function: waitForStopSignal', () => {
  const listening = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  beforeEach(() => {
    // Its stop deadline and its linger after the stop would exit the process: they never fire here.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.clearAllTimers();
    jest.useRealTimers();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const listener of process.listeners(signal)) {
        if (!listening[signal].includes(listener)) process.off(signal, listener);
      }
    }
  });

  it('stops a runner whose emulator died, and exits 1', async () => {
    // Prepare
    const stop = jest.fn(async () => ({ q: 2 }));
    let exitCode: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exitCode = resolve));

    // Act
    waitForStopSignal({ stop, emulatorDied: Promise.resolve() }, new Logger({ logLevel: 'SILENT' }), exitCode);

    // Assess
    await expect(exited).resolves.toBe(1);
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('stops a runner on SIGTERM and exits 0 while its emulators run', async () => {
    // Prepare
    const stop = jest.fn(async () => ({ q: 0 }));
    let exitCode: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exitCode = resolve));
    waitForStopSignal(
      { stop, emulatorDied: new Promise(() => undefined) },
      new Logger({ logLevel: 'SILENT' }),
      exitCode,
    );

    // Act
    process.emit('SIGTERM', 'SIGTERM');

    // Assess
    await expect(exited).resolves.toBe(0);
    expect(stop).toHaveBeenCalledTimes(1);
  });
});
