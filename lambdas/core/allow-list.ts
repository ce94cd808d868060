/**
 * Which Fluent accounts (and optionally retailers) this receiver serves. Fluent signs every customer in a
 * region and environment with one key, so a valid signature proves the sender, not the recipient.
 */
export interface AllowList {
  /** Account ids, compared case-insensitively; `'*'` admits any account (for trying things out only). */
  readonly accountIds: readonly string[] | '*';
  /** Retailer ids, compared exactly; undefined admits any retailer of an allowed account. */
  readonly retailerIds?: readonly string[];
}

export const AllowListRejection = {
  ACCOUNT_NOT_ALLOWED: 'account-not-allowed',
  RETAILER_NOT_ALLOWED: 'retailer-not-allowed',
} as const;
export type AllowListRejectionName = (typeof AllowListRejection)[keyof typeof AllowListRejection];

export type AllowListDecision =
  { readonly ok: true } | { readonly ok: false; readonly reason: AllowListRejectionName; readonly message: string };

/** Checks `accountId` and `retailerId` of a parsed body against the allow-list. Never throws. */
export function checkAllowList(body: Readonly<Record<string, unknown>>, allowList: AllowList): AllowListDecision {
  if (allowList.accountIds !== '*') {
    const accountId = idText(body.accountId);
    if (accountId === undefined) {
      return { ok: false, reason: AllowListRejection.ACCOUNT_NOT_ALLOWED, message: 'The event has no accountId.' };
    }
    const wanted = accountId.toUpperCase();
    if (!allowList.accountIds.some((allowed) => allowed.toUpperCase() === wanted)) {
      return {
        ok: false,
        reason: AllowListRejection.ACCOUNT_NOT_ALLOWED,
        message: 'The event is for an account this receiver does not serve.',
      };
    }
  }
  if (allowList.retailerIds !== undefined) {
    const retailerId = idText(body.retailerId);
    if (retailerId === undefined || !allowList.retailerIds.includes(retailerId)) {
      return {
        ok: false,
        reason: AllowListRejection.RETAILER_NOT_ALLOWED,
        message: 'The event is for a retailer this receiver does not serve.',
      };
    }
  }
  return { ok: true };
}

function idText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
