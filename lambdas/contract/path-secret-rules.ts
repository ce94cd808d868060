import type { ConfigurationProblem } from '../core/errors';

// The rules for the secret path segment, shared by the constructs (props and the stack's context), the local runner
// (WEBHOOK_PATH_SECRET) and the CLI, so that a secret one accepts the others accept too. No CDK import here.

/** Shortest accepted path secret: 32 base64url characters carry 192 bits. */
export const MIN_PATH_SECRET_LENGTH = 32;
/** Longest accepted path secret, so the WAF match string (at most 200 bytes) always fits. */
export const MAX_PATH_SECRET_LENGTH = 128;
/** The command that prints a fresh secret; every secret error names it. */
export const SECRET_COMMAND = 'npx fluent-webhook secret';
/**
 * Most path secrets live at once: the current one, the one being retired (Fluent retries to the URL it first used,
 * for up to a day) and one spare. Each costs an API resource tree and a WAF byte match.
 */
export const MAX_PATH_SECRETS = 3;

const URL_SAFE = /^[A-Za-z0-9_-]+$/;

const SECRET_FIX = `Run \`${SECRET_COMMAND}\` for one; never commit it.`;

/**
 * Problems with a path secret, saying how to get a good one.
 * @param setting the setting the problems name
 * @param which the secret's place in a list, for messages about one of several
 */
export function pathSecretProblems(
  secret: string | undefined,
  setting = 'pathSecret',
  which = '',
): ConfigurationProblem[] {
  const problem = (message: string): ConfigurationProblem => ({ setting, message: `${which}${message}` });
  if (secret === undefined || secret.trim() === '')
    return [problem(`is missing: the webhook URL needs a secret path segment. ${SECRET_FIX}`)];
  const problems: ConfigurationProblem[] = [];
  if (secret.length < MIN_PATH_SECRET_LENGTH)
    problems.push(problem(`is ${secret.length} characters; use at least ${MIN_PATH_SECRET_LENGTH}. ${SECRET_FIX}`));
  if (secret.length > MAX_PATH_SECRET_LENGTH)
    problems.push(problem(`is ${secret.length} characters; use at most ${MAX_PATH_SECRET_LENGTH}. ${SECRET_FIX}`));
  if (secret.includes(',')) {
    problems.push(
      problem(
        'holds a comma, but a secret is one URL-safe path segment. The stack takes several comma-separated while rotating, FluentWebhookReceiver takes them as pathSecrets, the local runner takes one.',
      ),
    );
  } else if (!URL_SAFE.test(secret)) {
    problems.push(problem(`may hold only the URL-safe characters A-Z, a-z, 0-9, _ and -. ${SECRET_FIX}`));
  }
  return problems;
}

/** Problems with a list of live path secrets: 1 to {@link MAX_PATH_SECRETS} good secrets, each listed once. */
export function pathSecretListProblems(secrets: readonly string[], setting = 'pathSecrets'): ConfigurationProblem[] {
  if (secrets.length === 0)
    return [{ setting, message: `is empty: the webhook URL needs a secret path segment. ${SECRET_FIX}` }];
  const problems: ConfigurationProblem[] = [];
  if (secrets.length > MAX_PATH_SECRETS) {
    problems.push({
      setting,
      message: `holds ${secrets.length} secrets; keep at most ${MAX_PATH_SECRETS} live at once. Remove the oldest once its pathSecretFingerprint has had no traffic for more than a day.`,
    });
  }
  secrets.forEach((secret, index) => {
    const first = secrets.indexOf(secret);
    if (first < index)
      problems.push({ setting, message: `repeats secret ${first + 1} as secret ${index + 1}; list each secret once.` });
    else problems.push(...pathSecretProblems(secret, setting, `secret ${index + 1} of ${secrets.length} `));
  });
  return problems;
}
