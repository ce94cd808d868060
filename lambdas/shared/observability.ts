import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { RuntimeEnv } from '../contract/environment';
import { COMPONENT_DIMENSION, ENVIRONMENT_DIMENSION, METRICS_NAMESPACE, SERVICE_NAME } from '../contract/observability';

/** A Powertools Logger for one component. Logs JSON lines on stdout. */
export function createLogger(component: string): Logger {
  return new Logger({ serviceName: SERVICE_NAME, persistentKeys: { component } });
}

/**
 * A Powertools Metrics (EMF) emitter for one component, with the component (and the environment's name, when
 * `ENVIRONMENT_NAME` is set) as default dimensions. Without the environment, two environments deployed into one
 * account would share every metric, and one's alarms would fire for the other.
 */
export function createMetrics(
  component: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Metrics {
  const environment = env[RuntimeEnv.ENVIRONMENT_NAME];
  const defaultDimensions: Record<string, string> = { [COMPONENT_DIMENSION]: component };
  if (environment !== undefined && environment !== '') defaultDimensions[ENVIRONMENT_DIMENSION] = environment;
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, defaultDimensions });
}
