import type { FluentWebhookConsumerOptions } from '../consumer/consumer-props';
import type { FluentWebhookMonitoringOptions } from '../monitoring/monitoring-props';
import type { FluentWebhookReceiverProps } from '../receiver/receiver-props';

/**
 * The whole pipeline's props: the receiver's, the consumer's and the monitoring's options side by side (their
 * names do not clash; `logRetention` and `environmentName` apply to all three), and the handler module.
 */
export interface FluentWebhooksProps
  extends FluentWebhookReceiverProps, FluentWebhookConsumerOptions, FluentWebhookMonitoringOptions {
  /**
   * The module with your handlers: a TypeScript or JavaScript file that exports `handlers`, a `FluentEventHandlers`
   * map, bundled into the consumer by esbuild at synth from its own project (see `FluentWebhookConsumerProps`).
   * @default - this repository's `handlers/index.ts`
   */
  readonly handlersEntry?: string;
}
