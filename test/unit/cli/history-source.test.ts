import { UsageError } from '../../../tools/cli/command';
import { historyCommand } from '../../../tools/cli/commands/history';
import { reconcileCommand } from '../../../tools/cli/commands/reconcile';
import { replayCommand } from '../../../tools/cli/commands/replay';
import type { CliIo } from '../../../tools/cli/cli-io';

describe('Commands that read the history: --region without --stack', () => {
  const io: CliIo = { out: () => undefined, err: () => undefined, env: {} };

  it.each([
    ['history', historyCommand, []],
    ['replay', replayCommand, []],
    [
      'reconcile',
      reconcileCommand,
      ['--from', '2026-12-01T00:00:00Z', '--to', '2026-12-02T00:00:00Z', '--name', 'OrderCreated', '--dry-run'],
    ],
  ])('%s refuses it as a usage error, before opening anything', async (_, command, argv) => {
    // Act
    const run = command.run(['--region', 'eu-west-1', ...argv], io);

    // Assess
    await expect(run).rejects.toThrow(new UsageError('--region goes with --stack: the local history needs no region.'));
  });
});
