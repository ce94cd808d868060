import { bufferedIo } from '../../../lambdas/cli/cli-io';
import { ExitCode } from '../../../lambdas/cli/command';
import { runCli } from '../../../lambdas/cli/run-cli';

describe('Command: secret', () => {
  it('prints a fresh 43-character URL-safe secret each time', async () => {
    // Prepare
    const first = bufferedIo();
    const second = bufferedIo();

    // Act
    const codes = [await runCli(['secret'], first), await runCli(['secret'], second)];

    // Assess
    expect(codes).toEqual([ExitCode.OK, ExitCode.OK]);
    expect(first.stdout()).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(second.stdout()).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(first.stdout()).not.toBe(second.stdout());
  });

  it('exits 2 for any flag', async () => {
    // Prepare
    const io = bufferedIo();

    // Act
    const code = await runCli(['secret', '--length', '8'], io);

    // Assess
    expect(code).toBe(ExitCode.USAGE);
    expect(io.stdout()).toBe('');
  });
});
