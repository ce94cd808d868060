import type {
  FluentApiClient,
  FluentApiClientOptions,
  FluentAttemptRecord,
  FluentCredentials,
} from '../../lambdas/fluent-api';
import { observedClient, TestClock } from './fluent-api-fixtures';
import { HostileFluent, HostileServer, startHostileFluent, startRecordingServer } from './hostile-fluent';

/**
 * Credentials with every character a form or a URL encodes differently: a space (`+` in a form, `%20` in a URL),
 * `+ / = & %`, quotes and a backslash (JSON escapes them) and non-ASCII, so a test can look for every encoding.
 */
export const AWKWARD_CREDENTIALS: Required<FluentCredentials> = {
  clientId: 'hostile-client-id-4411',
  clientSecret: 'S3cr+t/Qx=81&% never~print*',
  username: 'handler+user@example.com',
  password: 'P@ss w0rd"\\é-Zk27!',
};

/** Every form `value` takes in a form, a URL, JSON or base64: none of them may leave the client. */
export function encodingsOf(value: string): string[] {
  const url = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  const lowerEscapes = (text: string) => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  return [
    value,
    url,
    form,
    lowerEscapes(url),
    lowerEscapes(form),
    JSON.stringify(value).slice(1, -1),
    Buffer.from(value).toString('base64').replace(/=+$/, ''),
  ];
}

export interface HostileFixture {
  readonly fluent: HostileFluent;
  /** The attacker's host a redirect points at; it records everything. */
  readonly attacker: HostileServer;
  readonly clock: TestClock;
  readonly attempts: FluentAttemptRecord[];
  /** A client of the hostile Fluent with the test clock (unless `options` gives one) and {@link AWKWARD_CREDENTIALS}. */
  client(options?: Partial<FluentApiClientOptions>): FluentApiClient;
  stop(): Promise<void>;
}

export async function startHostileFixture(tokenLifetimeSeconds = 3600): Promise<HostileFixture> {
  const fluent = await startHostileFluent({ client: AWKWARD_CREDENTIALS, tokenLifetimeSeconds });
  const attacker = await startRecordingServer();
  const clock = new TestClock();
  const attempts: FluentAttemptRecord[] = [];
  return {
    fluent,
    attacker,
    clock,
    attempts,
    client: (options = {}) => observedClient(fluent.url, AWKWARD_CREDENTIALS, clock, attempts, options),
    stop: async () => {
      await fluent.stop();
      await attacker.stop();
    },
  };
}

/** Everything an error carries, as a log line would show it: message, stack, own fields, the cause's message. */
export function everythingIn(error: unknown): string {
  const fields = error as Error & Record<string, unknown>;
  return JSON.stringify({ ...fields, message: fields.message, stack: fields.stack, cause: String(fields.cause) });
}
