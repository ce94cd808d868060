import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * What `context.fluent` needs in AWS: where the API is, which account, and the Secrets Manager secret holding the
 * credentials as JSON (`clientId`, `clientSecret`, and `username`/`password` for the password grant). The URL and
 * account are settings; only the secret holds secrets, and only the consumer may read it.
 */
export interface FluentApiProps {
  /** The account's API base URL, for example `https://acme.sandbox.api.fluentretail.com`. */
  readonly apiUrl: string;
  /** The Fluent account id (the `fluent.account` header). */
  readonly account: string;
  /**
   * The name of the secret in the stack's account and region (one secret per environment). Mutually exclusive
   * with `existingSecretObj`.
   * @default - `existingSecretObj`
   */
  readonly secretName?: string;
  /**
   * Bring your own secret; with a customer-managed key, the consumer may also decrypt with that key.
   * @default - the secret named `secretName`
   */
  readonly existingSecretObj?: secretsmanager.ISecret;
}
