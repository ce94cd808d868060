import { BoundedRing } from './bounded-ring';

/**
 * What the door (the local gateway and the verifying handler) answered each webhook request: accepted, or the
 * rejection reason. The history holds only deliveries that passed the signature check, so refusals (forgeries,
 * unknown accounts, bad bodies) exist only here: a bounded ring in the runner's memory, for this run only.
 */
export interface DoorVerdict {
  /** The gateway's request id: the history record of an accepted webhook carries the same one. */
  readonly requestId: string;
  readonly receivedAt: string;
  readonly route?: string;
  readonly status: number;
  /** `accepted` for a 2xx, else the receiver's (or the gateway's) reason, such as `invalid-signature`. */
  readonly verdict: string;
  /** The receiver's one-line message for a refusal. */
  readonly message?: string;
  /** What the body says it is, unverified (a refused request has no history record to take them from). */
  readonly claimedName?: string;
  readonly claimedEntityRef?: string;
}

export const ACCEPTED = 'accepted';
/** How many verdicts the ring keeps; older ones are forgotten (their accepted events stay in the history). */
export const DOOR_VERDICTS_KEPT = 500;
/** A claimed name or ref is shown cut to this length: it comes from an unverified body. */
const CLAIM_CHARS = 120;
/** Bodies larger than this are not read for their claims. */
const CLAIM_BODY_BYTES = 64 * 1024;

export class DoorVerdicts {
  private readonly verdicts: BoundedRing<DoorVerdict>;

  public constructor(kept = DOOR_VERDICTS_KEPT) {
    this.verdicts = new BoundedRing(kept);
  }

  public add(verdict: DoorVerdict): void {
    this.verdicts.add(verdict);
  }

  /** Oldest first. */
  public all(): readonly DoorVerdict[] {
    return this.verdicts.all();
  }
}

/** The event name and entity ref a body claims, when it is small JSON; never trusted, only shown. */
export function bodyClaims(body: Buffer): Pick<DoorVerdict, 'claimedName' | 'claimedEntityRef'> {
  if (body.length > CLAIM_BODY_BYTES) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, CLAIM_CHARS) : undefined);
    return { claimedName: text(parsed.name), claimedEntityRef: text(parsed.entityRef) };
  } catch {
    return {};
  }
}

/** The verdict in an answer of the receiver (`{ error, message }` on a refusal) or of the gateway itself. */
export function verdictOf(status: number, answerBody: string): Pick<DoorVerdict, 'verdict' | 'message'> {
  if (status >= 200 && status < 300) return { verdict: ACCEPTED };
  try {
    const parsed = JSON.parse(answerBody) as Record<string, unknown>;
    return {
      verdict: typeof parsed.error === 'string' ? parsed.error : `http-${status}`,
      message: typeof parsed.message === 'string' ? parsed.message.slice(0, 300) : undefined,
    };
  } catch {
    return { verdict: `http-${status}` };
  }
}
