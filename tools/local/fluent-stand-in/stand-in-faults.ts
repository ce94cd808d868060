/**
 * Ways the stand-in can misbehave, so a handler author can watch their handler survive them. Each fault applies
 * to the next `times` matching requests, in the order given.
 */
export const FaultKind = {
  /** The token endpoint refuses the credentials (401 invalid_client), as after a rotated or revoked secret. */
  REFUSE_TOKEN: 'refuse-token',
  /** An API call answers 401, as if the token had been revoked. */
  UNAUTHORIZED: 'unauthorized',
  /** An API call answers 429 with `Retry-After`. */
  RATE_LIMITED: 'rate-limited',
  /** An API call answers 503. */
  UNAVAILABLE: 'unavailable',
  /** An API call answers 400. */
  BAD_REQUEST: 'bad-request',
  /** A GraphQL call answers 200 with `errors`. */
  GRAPHQL_ERRORS: 'graphql-errors',
  /** An API call gets no answer at all until the caller gives up. */
  STALL: 'stall',
} as const;
export type FaultKindName = (typeof FaultKind)[keyof typeof FaultKind];

export interface Fault {
  readonly kind: FaultKindName;
  /** @default 1 */
  readonly times?: number;
  /** For `rate-limited`: the `Retry-After` seconds. @default 1 */
  readonly retryAfterSeconds?: number;
}

/** What a request is, for matching faults. */
export type RequestTarget = 'token' | 'event' | 'graphql' | 'api';

const KINDS: readonly string[] = Object.values(FaultKind);

function applies(kind: FaultKindName, target: RequestTarget): boolean {
  if (kind === FaultKind.REFUSE_TOKEN) return target === 'token';
  if (kind === FaultKind.GRAPHQL_ERRORS) return target === 'graphql';
  return target !== 'token';
}

/** The faults still to happen; each matching request takes one. */
export class FaultQueue {
  private readonly queue: Array<{ kind: FaultKindName; left: number; retryAfterSeconds: number }> = [];

  public add(faults: readonly Fault[]): void {
    for (const fault of faults) {
      this.queue.push({ kind: fault.kind, left: fault.times ?? 1, retryAfterSeconds: fault.retryAfterSeconds ?? 1 });
    }
  }

  public clear(): void {
    this.queue.length = 0;
  }

  public pending(): Fault[] {
    return this.queue.map(({ kind, left, retryAfterSeconds }) => ({ kind, times: left, retryAfterSeconds }));
  }

  /** The fault this request meets, if any (and counts it). */
  public take(target: RequestTarget): Fault | undefined {
    const index = this.queue.findIndex((entry) => applies(entry.kind, target));
    if (index < 0) return undefined;
    const entry = this.queue[index]!;
    entry.left -= 1;
    if (entry.left <= 0) this.queue.splice(index, 1);
    return { kind: entry.kind, retryAfterSeconds: entry.retryAfterSeconds };
  }
}

/**
 * Reads faults from their JSON form (the control endpoint's body: one object or an array), throwing a message
 * that says what to send.
 */
export function parseFaults(value: unknown): Fault[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((entry) => {
    const fields = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    return checkedFault(fields.kind, fields.times, fields.retryAfterSeconds);
  });
}

/** Reads the FLUENT_STAND_IN_FAULTS form: `kind[:times[:retryAfterSeconds]]`, comma-separated. */
export function parseFaultList(text: string): Fault[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [kind, times, retryAfter] = part.split(':');
      return checkedFault(
        kind,
        times === undefined ? undefined : Number(times),
        retryAfter === undefined ? undefined : Number(retryAfter),
      );
    });
}

function checkedFault(kind: unknown, times: unknown, retryAfterSeconds: unknown): Fault {
  if (typeof kind !== 'string' || !KINDS.includes(kind)) {
    throw new Error(`Unknown stand-in fault ${JSON.stringify(kind)}; use one of ${KINDS.join(', ')}.`);
  }
  const whole = (value: unknown, name: string, min: number): number | undefined => {
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= 1000) return value;
    throw new Error(`Stand-in fault ${kind}: ${name} must be a whole number from ${min} to 1000.`);
  };
  return {
    kind: kind as FaultKindName,
    times: whole(times, 'times', 1),
    retryAfterSeconds: whole(retryAfterSeconds, 'retryAfterSeconds', 0),
  };
}
