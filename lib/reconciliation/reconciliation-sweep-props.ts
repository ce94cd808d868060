import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { ReconciliationSweepSettings } from '../../lambdas/contract/reconciliation-sweep';
import type { FluentWebhookConsumer } from '../consumer/fluent-webhook-consumer';
import type { FluentApiProps } from '../consumer/fluent-api-props';

/** Props of {@link FluentWebhookReconciliationSweep}; `FluentWebhooks` builds one from `reconciliationSweep`. */
export interface FluentWebhookReconciliationSweepProps {
  /** What to compare and when: the `reconciliationSweep` setting (names, query, schedule). */
  readonly settings: ReconciliationSweepSettings;
  /**
   * The consumer whose history the sweep reads and whose reconciliation queue it backfills into; it must have
   * that queue (`reconcilerArns` or `reconciliationSweep` among its props). The sweep's role is added to the
   * queue's senders.
   */
  readonly consumer: FluentWebhookConsumer;
  /** Fluent's API: the same URL, account and credentials secret as the handlers' client. */
  readonly fluentApi: FluentApiProps;
  /**
   * The API Gateway stage Fluent calls: when it answered 5xx or 4xx (throttling among them), the next sweep
   * compares those minutes first, read from its `5XXError` and `4XXError` metrics.
   * @default - no door check: every sweep compares its window oldest first
   */
  readonly apiStage?: apigateway.Stage;
  /**
   * The environment's name: the `environment` dimension of GapsFound and GapsBackfilled.
   * @default - no environment dimension
   */
  readonly environmentName?: string;
  /**
   * How long the sweep's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Overrides for the sweep Lambda (memory, tracing...). The entry, handler, runtime, bundling, role, timeout and
   * environment are wiring and always win.
   * @default - 512 MB, 15 minutes, Node.js 24 on arm64
   */
  readonly sweepFunctionProps?: Partial<NodejsFunctionProps>;
}
