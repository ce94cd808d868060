import {
  Clock,
  FluentApiClient,
  FluentApiClientOptions,
  FluentAttemptRecord,
  FluentCredentials,
  FluentOutboundEvent,
} from '../../lambdas/fluent-api';
import {
  FluentStandIn,
  FluentStandInOptions,
  startFluentStandIn,
} from '../../tools/local/fluent-stand-in/fluent-stand-in';

/** Credentials the test stand-in accepts. Distinctive, so a test can search every output for them. */
export const TEST_FLUENT_CLIENT: Required<FluentCredentials> = {
  clientId: 'test-client-7f3a',
  clientSecret: 'client-secret-Qx81-never-print',
  username: 'handler-user@example.com',
  password: 'user-password-Zk27-never-print',
};
export const TEST_FLUENT_ACCOUNT = 'ACME';

/** A clock the test moves: `sleep` records the wait and advances time at once, so nothing really waits. */
export class TestClock implements Clock {
  public readonly sleeps: number[] = [];
  public current = 1_700_000_000_000;

  public now = (): number => this.current;
  public random = (): number => 0.5;
  public sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.current += ms;
  };
  public advance(ms: number): void {
    this.current += ms;
  }
}

export interface StandInFixture {
  readonly clock: TestClock;
  readonly standIn: FluentStandIn;
  readonly attempts: FluentAttemptRecord[];
  /** A client of the stand-in sharing the test clock; `options` overrides. */
  client(options?: Partial<FluentApiClientOptions>): FluentApiClient;
}

/** Starts a stand-in on 127.0.0.1 with the test clock and a quiet logger. Stop it in afterEach. */
export async function startStandInFixture(options: Partial<FluentStandInOptions> = {}): Promise<StandInFixture> {
  const clock = new TestClock();
  const standIn = await startFluentStandIn({
    host: '127.0.0.1',
    port: 0,
    account: TEST_FLUENT_ACCOUNT,
    client: TEST_FLUENT_CLIENT,
    tokenLifetimeSeconds: 120,
    logger: { info: () => undefined, warn: () => undefined },
    now: clock.now,
    ...options,
  });
  const attempts: FluentAttemptRecord[] = [];
  return {
    clock,
    standIn,
    attempts,
    client: (overrides = {}) => observedClient(standIn.url, TEST_FLUENT_CLIENT, clock, attempts, overrides),
  };
}

/** A client of `apiUrl` as account {@link TEST_FLUENT_ACCOUNT} on `clock`, recording its attempts; `overrides` wins. */
export function observedClient(
  apiUrl: string,
  credentials: FluentCredentials,
  clock: Clock,
  attempts: FluentAttemptRecord[],
  overrides: Partial<FluentApiClientOptions> = {},
): FluentApiClient {
  return new FluentApiClient({
    settings: { apiUrl, account: TEST_FLUENT_ACCOUNT },
    credentials: { load: async () => credentials },
    clock,
    observer: { attempt: (record) => attempts.push(record) },
    ...overrides,
  });
}

/** A valid outbound event; `overrides` changes single fields. */
export function returnApproved(overrides: Partial<FluentOutboundEvent> = {}): FluentOutboundEvent {
  return {
    name: 'ReturnApproved',
    retailerId: '1',
    entityType: 'RETURN_ORDER',
    entityRef: 'RET-1001',
    attributes: { approvedBy: 'returns-system' },
    ...overrides,
  };
}
