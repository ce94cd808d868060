import { idText } from './id-text';

/**
 * Which Fluent accounts (and optionally retailers) this receiver serves. Fluent signs every customer in a
 * region and environment with one key, so a valid signature proves the sender, not the recipient.
 */
export interface AllowList {
  /**
   * Account ids, compared ignoring the case of ASCII letters only (Unicode case mapping would let `acmeſ` in as
   * `ACMES`); `'*'` admits any account (for trying things out only).
   */
  readonly accountIds: readonly string[] | '*';
  /** Retailer ids, compared exactly (a number by its text as sent); undefined admits any retailer of an allowed account. */
  readonly retailerIds?: readonly string[];
}

/** Why an event is not for this receiver. Stable strings: use them in metrics. */
export const AllowListRejection = {
  /** The event's accountId is missing or not on the list. */
  ACCOUNT_NOT_ALLOWED: 'account-not-allowed',
  /** The event's retailerId is missing or not on the list. */
  RETAILER_NOT_ALLOWED: 'retailer-not-allowed',
} as const;
/** One of the {@link AllowListRejection} strings. */
export type AllowListRejectionName = (typeof AllowListRejection)[keyof typeof AllowListRejection];

/** What `checkAllowList` answers. */
export type AllowListDecision =
  | {
      /** The event is for this receiver. */
      readonly ok: true;
    }
  | {
      /** The event is not for this receiver. */
      readonly ok: false;
      /** Why, as a stable string. */
      readonly reason: AllowListRejectionName;
      /** Which id is not allowed; safe to log. */
      readonly message: string;
    };

/**
 * Checks `accountId` and `retailerId` of a parsed body against the allow-list. Never throws. `sourceText` is the
 * JSON the body was parsed from: with it a numeric id is compared by its text as sent, without it only when it is
 * a safe integer (see `idText`); never through a conversion that loses digits.
 */
export function checkAllowList(
  body: Readonly<Record<string, unknown>>,
  allowList: AllowList,
  sourceText?: string,
): AllowListDecision {
  if (allowList.accountIds !== '*') {
    const accountId = idText(body, 'accountId', sourceText);
    if (accountId === undefined || accountId.length === 0) {
      return { ok: false, reason: AllowListRejection.ACCOUNT_NOT_ALLOWED, message: 'The event has no accountId.' };
    }
    const wanted = asciiUpperCase(accountId);
    if (!allowList.accountIds.some((allowed) => asciiUpperCase(allowed) === wanted)) {
      return {
        ok: false,
        reason: AllowListRejection.ACCOUNT_NOT_ALLOWED,
        message: 'The event is for an account this receiver does not serve.',
      };
    }
  }
  if (allowList.retailerIds !== undefined) {
    const retailerId = idText(body, 'retailerId', sourceText);
    if (retailerId === undefined || retailerId.length === 0 || !allowList.retailerIds.includes(retailerId)) {
      return {
        ok: false,
        reason: AllowListRejection.RETAILER_NOT_ALLOWED,
        message: 'The event is for a retailer this receiver does not serve.',
      };
    }
  }
  return { ok: true };
}

/** Upper-cases a-z only: every other character compares exactly. */
function asciiUpperCase(text: string): string {
  return text.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}
