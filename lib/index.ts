// The package's `fluent-webhook-receiver/cdk` entry: the constructs and what their props need. It loads aws-cdk-lib
// and constructs (peer dependencies); the verifier alone is the package's main entry.
export { FluentWebhooks } from './fluent-webhooks/fluent-webhooks';
export type { FluentWebhooksProps } from './fluent-webhooks/fluent-webhooks-props';
export { FluentWebhookReceiver } from './receiver/fluent-webhook-receiver';
export type { FluentWebhookReceiverProps } from './receiver/fluent-webhook-receiver';
export { FluentWebhookConsumer } from './consumer/fluent-webhook-consumer';
export type { FluentWebhookConsumerOptions, FluentWebhookConsumerProps } from './consumer/fluent-webhook-consumer';
export { FluentWebhookMonitoring } from './monitoring/fluent-webhook-monitoring';
export type {
  FluentWebhookAlarms,
  FluentWebhookMonitoringOptions,
  FluentWebhookMonitoringProps,
} from './monitoring/fluent-webhook-monitoring';
export { FluentWebhookReconciliationSweep } from './reconciliation/fluent-webhook-reconciliation-sweep';
export type { FluentWebhookReconciliationSweepProps } from './reconciliation/fluent-webhook-reconciliation-sweep';
export { FluentWebhookStack } from './stack/fluent-webhook-stack';
export type { FluentWebhookStackProps } from './stack/fluent-webhook-stack';
export { parseReceiverSettings } from '../lambdas/core/settings';
export type { RawReceiverSettings, ReceiverSettings } from '../lambdas/core/settings';
