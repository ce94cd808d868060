import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** Service name on every log line and metric. */
export const SERVICE_NAME = 'fluent-webhook-receiver';
/** CloudWatch namespace of every metric the receiver emits; alarms and the dashboard use it too. */
export const METRICS_NAMESPACE = 'FluentWebhookReceiver';

/** A Powertools Logger for one component (`receiver`, `consumer`, `local`). Logs JSON lines on stdout. */
export function createLogger(component: string): Logger {
  return new Logger({ serviceName: SERVICE_NAME, persistentKeys: { component } });
}

/** A Powertools Metrics (EMF) emitter for one component, with the component as a default dimension. */
export function createMetrics(component: string): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, defaultDimensions: { component } });
}
