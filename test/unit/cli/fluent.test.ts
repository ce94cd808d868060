import { writeFileSync } from 'node:fs';
import { bufferedIo } from '../../../tools/cli/cli-io';
import { ExitCode } from '../../../tools/cli/command';
import { runCli } from '../../../tools/cli/run-cli';
import { FaultKind } from '../../../tools/local/fluent-stand-in/stand-in-faults';
import {
  returnApproved,
  StandInFixture,
  startStandInFixture,
  TEST_FLUENT_ACCOUNT,
  TEST_FLUENT_CLIENT,
} from '../../support/fluent-api-fixtures';
import { useTempDir } from '../../support/temp-dir';

describe('Command: fluent', () => {
  const temp = useTempDir();
  let fixture: StandInFixture;
  beforeEach(async () => {
    fixture = await startStandInFixture();
  });
  afterEach(async () => {
    await fixture.standIn.stop();
  });

  const env = (overrides: Record<string, string | undefined> = {}) => ({
    FLUENT_API_URL: fixture.standIn.url,
    FLUENT_API_ACCOUNT: TEST_FLUENT_ACCOUNT,
    FLUENT_CLIENT_ID: TEST_FLUENT_CLIENT.clientId,
    FLUENT_CLIENT_SECRET: TEST_FLUENT_CLIENT.clientSecret,
    FLUENT_USERNAME: TEST_FLUENT_CLIENT.username,
    FLUENT_PASSWORD: TEST_FLUENT_CLIENT.password,
    ...overrides,
  });
  const run = async (argv: string[], environment = env()) => {
    const io = bufferedIo(environment);
    const code = await runCli(argv, io);
    return { code, out: io.stdout(), err: io.stderr() };
  };

  it('token: checks the credentials and prints grant, scope and lifetime, but not the token', async () => {
    // Act
    const result = await run(['fluent', 'token']);

    // Assess
    expect(result).toMatchObject({ code: ExitCode.OK, out: 'token ok: grant password, scope api, expires in 120 s\n' });
    expect(fixture.standIn.received().tokensIssued).toBe(1);
    expect(result.out + result.err).not.toContain(TEST_FLUENT_CLIENT.clientSecret);
  });

  it('token --show-token: prints the token on a line of its own', async () => {
    // Act
    const result = await run(['fluent', 'token', '--show-token']);

    // Assess
    expect(result.code).toBe(ExitCode.OK);
    expect(result.out.split('\n')[1]).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it('token: exit 1 with the reason when Fluent refuses the login, without any credential', async () => {
    // Prepare
    fixture.standIn.addFaults([{ kind: FaultKind.REFUSE_TOKEN, times: 2 }]);

    // Act
    const result = await run(['fluent', 'token']);

    // Assess
    expect(result.code).toBe(ExitCode.FAILED);
    expect(result.err).toMatch(
      /^FluentAuthenticationError: Fluent refused the login \(401: invalid_client\).*correlation id/,
    );
    for (const secret of [TEST_FLUENT_CLIENT.clientSecret, TEST_FLUENT_CLIENT.password])
      expect(result.err).not.toContain(secret);
  });

  it('send-event: posts the file as an async event, or with --sync to the sync endpoint', async () => {
    // Prepare
    const file = temp.path('event.json');
    writeFileSync(file, JSON.stringify(returnApproved({ entityRef: 'RET-CLI' })));

    // Act
    const asyncResult = await run(['fluent', 'send-event', '--file', file]);
    const syncResult = await run(['fluent', 'send-event', '--file', file, '--sync']);

    // Assess
    expect(asyncResult).toMatchObject({
      code: ExitCode.OK,
      out: expect.stringMatching(/^event ReturnApproved accepted \(async\): \{"id":/),
    });
    expect(syncResult.out).toContain('"eventStatus":"COMPLETE"');
    expect(fixture.standIn.received().events.map((recorded) => recorded.mode)).toEqual(['async', 'sync']);
  });

  it('send-event: exit 1 with status and Fluent message when Fluent refuses the event', async () => {
    // Prepare
    const file = temp.path('event.json');
    writeFileSync(file, JSON.stringify(returnApproved()));
    fixture.standIn.addFaults([{ kind: FaultKind.BAD_REQUEST }]);

    // Act
    const result = await run(['fluent', 'send-event', '--file', file]);

    // Assess
    expect(result.code).toBe(ExitCode.FAILED);
    expect(result.err).toContain(
      'FluentRequestError: Fluent refused sendEvent with 400: Bad request (stand-in fault).',
    );
  });

  it.each([
    [['fluent'], {}, 'name a subcommand: token or send-event'],
    [['fluent', 'tokens'], {}, 'unknown subcommand "tokens"'],
    [['fluent', 'send-event'], {}, '--file is required'],
    [['fluent', 'token'], { FLUENT_API_URL: undefined }, 'set FLUENT_API_URL'],
    [['fluent', 'token'], { FLUENT_CLIENT_SECRET: undefined }, 'FLUENT_CLIENT_SECRET is missing'],
    [['fluent', 'token'], { FLUENT_PASSWORD: undefined }, 'FLUENT_USERNAME and FLUENT_PASSWORD go together'],
  ])('exit 2 for %j with a message naming what to set', async (argv, overrides, message) => {
    // Act
    const result = await run(argv, env(overrides));

    // Assess
    expect(result.code).toBe(ExitCode.USAGE);
    expect(result.err).toContain(message);
    expect(fixture.standIn.received().tokensIssued).toBe(0);
  });

  it('send-event: exit 2 when the event misses a field Fluent needs, before sending', async () => {
    // Prepare
    const file = temp.path('event.json');
    writeFileSync(file, JSON.stringify({ name: 'ReturnApproved' }));

    // Act
    const result = await run(['fluent', 'send-event', '--file', file]);

    // Assess
    expect(result.code).toBe(ExitCode.USAGE);
    expect(result.err).toContain('retailerId is missing');
    expect(fixture.standIn.received().tokensIssued).toBe(0);
  });
});
