import { Logger } from '@aws-lambda-powertools/logger';
import { startRunner } from '../../../tools/local/stop-stack';

describe('startRunner (the runners’ start and stop around one stop stack)', () => {
  const logger = new Logger({ logLevel: 'SILENT' });

  it('stops every part in reverse order, then answers the messages the stops counted', async () => {
    // Prepare
    const stopped: string[] = [];
    const runner = await startRunner(logger, 'test runner', async (stopActions, saved) => {
      stopActions.push(async () => void stopped.push('emulator'));
      stopActions.push(async () => {
        stopped.push('queues counted');
        saved.queue = 3;
      });
      stopActions.push(async () => void stopped.push('gateway'));
      return { url: 'http://127.0.0.1:1' };
    });

    // Act
    const saved = await runner.stop();

    // Assess
    expect(runner.url).toBe('http://127.0.0.1:1');
    expect(stopped).toEqual(['gateway', 'queues counted', 'emulator']);
    expect(saved).toEqual({ queue: 3 });
  });

  it('stops what had started when a later part fails to start, then throws its error', async () => {
    // Prepare
    const stopped: string[] = [];

    // Act
    const started = startRunner(logger, 'test runner', async (stopActions) => {
      stopActions.push(async () => void stopped.push('emulator'));
      throw new Error('port in use');
    });

    // Assess
    await expect(started).rejects.toThrow('port in use');
    expect(stopped).toEqual(['emulator']);
  });
});
