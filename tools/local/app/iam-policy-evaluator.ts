/**
 * The part of AWS's policy evaluation logic a stack like ours needs, for calls within one account: an explicit deny
 * in any policy wins; otherwise the identity policies of the caller's role or the resource's policy must allow.
 * No npm package fitted: @cloud-copilot/iam-simulate, the maintained evaluator, is AGPL-3.0, which this Apache-2.0
 * package cannot ship. Condition operators outside {@link SUPPORTED_OPERATORS} are refused when the runner starts
 * ({@link unsupportedConditions}), so a policy is never judged by a rule the runner does not have.
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** A policy document with the name the log lines use for it (its logical id in the template). */
export interface NamedPolicy {
  readonly name: string;
  readonly statements: readonly PolicyStatement[];
}

/** One call: who makes it, what it does to which resource, and the request's condition keys. */
export interface AccessRequest {
  readonly principalArn: string;
  readonly accountId: string;
  /** `sqs:SendMessage`, `dynamodb:PutItem`, ... */
  readonly action: string;
  readonly resource: string;
  /** Condition keys with their values (`aws:SecureTransport`, `aws:PrincipalArn`, ...). */
  readonly context: Readonly<Record<string, string>>;
}

export type AccessDecision =
  | { readonly allowed: true; readonly statement: string }
  | { readonly allowed: false; readonly explicitDeny: true; readonly statement: string }
  | { readonly allowed: false; readonly explicitDeny: false };

/** Condition operators the evaluator understands; each may end in `IfExists`. */
export const SUPPORTED_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Bool',
  'Null',
] as const;

/** Reads a policy document's statements (one statement or a list). */
export function policyStatements(document: unknown): PolicyStatement[] {
  const statement = (document as { Statement?: unknown } | undefined)?.Statement;
  if (statement === undefined) return [];
  return (Array.isArray(statement) ? statement : [statement]) as PolicyStatement[];
}

/** The condition operators in `policy` that the evaluator does not understand, named with their statement. */
export function unsupportedConditions(policy: NamedPolicy): string[] {
  return policy.statements.flatMap((statement, index) =>
    Object.keys(statement.Condition ?? {})
      .filter(
        (operator) => !SUPPORTED_OPERATORS.includes(baseOperator(operator) as (typeof SUPPORTED_OPERATORS)[number]),
      )
      .map((operator) => `${operator} in ${statementName(policy, statement, index)}`),
  );
}

/**
 * Decides a call as AWS does within one account: an explicit deny in an identity or resource policy denies;
 * else an allow in either allows; else it is denied implicitly.
 */
export function evaluateAccess(
  request: AccessRequest,
  identityPolicies: readonly NamedPolicy[],
  resourcePolicy?: NamedPolicy,
): AccessDecision {
  const applicable: Array<{ name: string; effect: string }> = [];
  const collect = (policy: NamedPolicy, checkPrincipal: boolean): void => {
    policy.statements.forEach((statement, index) => {
      if (appliesTo(statement, request, checkPrincipal)) {
        applicable.push({ name: statementName(policy, statement, index), effect: statement.Effect });
      }
    });
  };
  for (const policy of identityPolicies) collect(policy, false);
  if (resourcePolicy !== undefined) collect(resourcePolicy, true);
  const deny = applicable.find((statement) => statement.effect === 'Deny');
  if (deny !== undefined) return { allowed: false, explicitDeny: true, statement: deny.name };
  const allow = applicable.find((statement) => statement.effect === 'Allow');
  return allow === undefined ? { allowed: false, explicitDeny: false } : { allowed: true, statement: allow.name };
}

function statementName(policy: NamedPolicy, statement: PolicyStatement, index: number): string {
  return `${policy.name} statement ${statement.Sid ?? `#${index + 1}`}`;
}

function appliesTo(statement: PolicyStatement, request: AccessRequest, checkPrincipal: boolean): boolean {
  const action = request.action.toLowerCase();
  const matchesAction = (patterns: string | readonly string[]) =>
    list(patterns).some((pattern) => wildcard(pattern.toLowerCase()).test(action));
  if (statement.Action !== undefined && !matchesAction(statement.Action)) return false;
  if (statement.NotAction !== undefined && matchesAction(statement.NotAction)) return false;
  const matchesResource = (patterns: string | readonly string[]) =>
    list(patterns).some((pattern) => wildcard(pattern).test(request.resource));
  if (statement.Resource !== undefined && !matchesResource(statement.Resource)) return false;
  if (statement.NotResource !== undefined && matchesResource(statement.NotResource)) return false;
  if (checkPrincipal) {
    if (statement.Principal !== undefined && !matchesPrincipal(statement.Principal, request)) return false;
    if (statement.NotPrincipal !== undefined && matchesPrincipal(statement.NotPrincipal, request)) return false;
  }
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => conditionHolds(operator, request.context[key], list(values))),
  );
}

/** `*`, `{ AWS: '*' }`, the role's ARN, the account (id or root ARN). A service principal never matches a role. */
function matchesPrincipal(principal: unknown, request: AccessRequest): boolean {
  if (principal === '*') return true;
  const aws = (principal as { AWS?: unknown }).AWS;
  if (aws === undefined) return false;
  return list(aws as string | string[]).some(
    (value) =>
      value === '*' ||
      value === request.principalArn ||
      value === request.accountId ||
      value === `arn:aws:iam::${request.accountId}:root`,
  );
}

function baseOperator(operator: string): string {
  return operator.replace(/IfExists$/, '');
}

function conditionHolds(operator: string, actual: string | undefined, expected: readonly unknown[]): boolean {
  const base = baseOperator(operator);
  const values = expected.map(String);
  if (base === 'Null') return values.some((value) => (value === 'true') === (actual === undefined));
  const negated = /Not/.test(base);
  if (actual === undefined) return operator.endsWith('IfExists') || negated;
  const matches = (value: string): boolean => {
    switch (base.replace('Not', '')) {
      case 'StringEquals':
      case 'ArnEquals':
        return actual === value;
      case 'StringEqualsIgnoreCase':
        return actual.toLowerCase() === value.toLowerCase();
      case 'StringLike':
      case 'ArnLike':
        return wildcard(value).test(actual);
      case 'Bool':
        return actual.toLowerCase() === value.toLowerCase();
      default:
        return false;
    }
  };
  return negated ? !values.some(matches) : values.some(matches);
}

function list<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/** Whether `value` matches `pattern` with IAM's wildcards (ArnLike, StringLike, Resource). */
export function wildcardMatches(pattern: string, value: string): boolean {
  return wildcard(pattern).test(value);
}

/** IAM's wildcards: `*` any run of characters (across `:` and `/`), `?` one character. */
function wildcard(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's');
}
