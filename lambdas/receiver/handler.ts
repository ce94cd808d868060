import { SQSClient } from '@aws-sdk/client-sqs';
import { parseReceiverSettings, rawSettingsFromEnv } from '../core/settings';
import { createLogger, createMetrics } from '../shared/observability';
import { requireEnv, RuntimeEnv } from '../contract/environment';
import { createReceiverHandler } from './create-receiver-handler';
import { Component } from '../contract/observability';
import { readOrdering } from '../contract/ordering';

/**
 * Bounded so that a stalled SendMessage ends in the handler's own 503 (which Fluent retries) well inside the
 * Lambda's 10 s timeout, instead of a timed-out invocation that API Gateway answers with a bare 502:
 * at most 3 attempts of 1 s to connect plus 2 s for the answer.
 */
const SQS_CLIENT_CONFIG = {
  maxAttempts: 3,
  // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes, and waits on.
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
} as const;

// Built once per cold start: keys are parsed and the client's connections reused across invocations.
// A configuration error fails the cold start with a message naming the setting (the stack validates it at synth).
export const handler = createReceiverHandler({
  settings: parseReceiverSettings(rawSettingsFromEnv(process.env)),
  sqsClient: new SQSClient(SQS_CLIENT_CONFIG),
  queueUrl: requireEnv(process.env, RuntimeEnv.QUEUE_URL),
  logger: createLogger(Component.RECEIVER),
  metrics: createMetrics(Component.RECEIVER),
  ordering: readOrdering(process.env),
});
