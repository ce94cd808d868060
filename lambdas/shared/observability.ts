import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { RuntimeEnv } from './runtime-env';

/** Service name on every log line and metric. */
export const SERVICE_NAME = 'fluent-webhook-receiver';
/** CloudWatch namespace of every metric the receiver emits; alarms and the dashboard use it too. */
export const METRICS_NAMESPACE = 'FluentWebhookReceiver';

/** The parts of the system, as the `component` key of their log lines and the dimension of their metrics. */
export const Component = {
  RECEIVER: 'receiver',
  CONSUMER: 'consumer',
  LOCAL: 'local',
} as const;
export type ComponentName = (typeof Component)[keyof typeof Component];

/** A Powertools Logger for one component. Logs JSON lines on stdout. */
export function createLogger(component: string): Logger {
  return new Logger({ serviceName: SERVICE_NAME, persistentKeys: { component } });
}

/** Dimension naming the part of the system that emitted a metric (`receiver`, `consumer`). */
export const COMPONENT_DIMENSION = 'component';
/** Dimension that splits rejections and failures by reason (receiver and consumer alike). */
export const REASON_DIMENSION = 'reason';
/** Dimension naming the environment (from {@link RuntimeEnv.ENVIRONMENT_NAME}), when the stack sets one. */
export const ENVIRONMENT_DIMENSION = 'environment';

/**
 * A Powertools Metrics (EMF) emitter for one component, with the component (and the environment's name, when
 * `ENVIRONMENT_NAME` is set) as default dimensions. Without the environment, two environments deployed into one
 * account would share every metric, and one's alarms would fire for the other.
 */
export function createMetrics(component: string, env: Readonly<Record<string, string | undefined>> = process.env): Metrics {
  const environment = env[RuntimeEnv.ENVIRONMENT_NAME];
  const defaultDimensions: Record<string, string> = { [COMPONENT_DIMENSION]: component };
  if (environment !== undefined && environment !== '') defaultDimensions[ENVIRONMENT_DIMENSION] = environment;
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, defaultDimensions });
}
