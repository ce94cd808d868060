import type { FluentCredentials } from '../../lambdas/fluent-api/fluent-api-settings';

/**
 * The stand-in's client when no FLUENT_CLIENT_ID is set: local values, not secrets. Apart from the stand-in, so that
 * `fluent-webhook reconcile` can log in to it without loading the stand-in (GraphQL and the runner's packages).
 */
export const LOCAL_FLUENT_CLIENT: FluentCredentials = { clientId: 'local-client', clientSecret: 'local-client-secret' };
