import { SQSClient } from '@aws-sdk/client-sqs';
import { parseReceiverSettings, rawSettingsFromEnv } from '../core/settings';
import { Component, createLogger, createMetrics } from '../shared/observability';
import { requireEnv, RuntimeEnv } from '../shared/runtime-env';
import { createReceiverHandler } from './create-receiver-handler';

// Built once per cold start: keys are parsed and the client's connections reused across invocations.
// A configuration error fails the cold start with a message naming the setting (the stack validates it at synth).
export const handler = createReceiverHandler({
  settings: parseReceiverSettings(rawSettingsFromEnv(process.env)),
  sqsClient: new SQSClient({}),
  queueUrl: requireEnv(process.env, RuntimeEnv.QUEUE_URL),
  logger: createLogger(Component.RECEIVER),
  metrics: createMetrics(Component.RECEIVER),
});
