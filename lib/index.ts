// The package's `fluent-webhook-receiver/cdk` entry: the constructs and every type their props use. It loads
// aws-cdk-lib and constructs (peer dependencies); the verifier alone is the package's main entry. The stack this
// repository deploys (lib/stack/) reads CDK context for its own app and is not part of it.

/**
 * The CDK constructs: the whole pipeline in one (`FluentWebhooks`) or its parts, and every type their props use.
 * @packageDocumentation
 * @module fluent-webhook-receiver/cdk
 */

// The whole pipeline in one construct
export { FluentWebhooks } from './fluent-webhooks/fluent-webhooks';
export type { FluentWebhooksProps } from './fluent-webhooks/fluent-webhooks-props';

// Its parts
export { FluentWebhookReceiver } from './receiver/fluent-webhook-receiver';
export type { FluentWebhookReceiverProps } from './receiver/receiver-props';
export { WebhookFirewall } from './receiver/webhook-firewall';
export type { WebhookFirewallProps } from './receiver/webhook-firewall';
export { FluentWebhookConsumer } from './consumer/fluent-webhook-consumer';
export type { FluentWebhookConsumerOptions, FluentWebhookConsumerProps } from './consumer/consumer-props';
export type { FluentApiProps } from './consumer/fluent-api-props';
export type { ReconciliationQueues } from './consumer/reconciliation-queue';
export { FluentWebhookMonitoring } from './monitoring/fluent-webhook-monitoring';
export type { FluentWebhookAlarms } from './monitoring/fluent-webhook-monitoring';
export type { FluentWebhookMonitoringOptions, FluentWebhookMonitoringProps } from './monitoring/monitoring-props';
export { FluentWebhookReconciliationSweep } from './reconciliation/fluent-webhook-reconciliation-sweep';
export type { FluentWebhookReconciliationSweepProps } from './reconciliation/fluent-webhook-reconciliation-sweep';
export type { ReconciliationSweepSettings } from '../lambdas/contract/reconciliation-sweep';

// Settings and modes the props take
export { Ingress } from '../lambdas/contract/ingress';
export type { IngressName } from '../lambdas/contract/ingress';
export { Ordering } from '../lambdas/contract/ordering';
export type { OrderingName } from '../lambdas/contract/ordering';
export { parseReceiverSettings, UnhandledEventPolicy } from '../lambdas/core/settings';
export type {
  RawReceiverSettings,
  RawSettingValue,
  ReceiverSettings,
  SettingKey,
  UnhandledEventPolicyName,
} from '../lambdas/core/settings';
