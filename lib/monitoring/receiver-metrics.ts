import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  COMPONENT_DIMENSION,
  Component,
  ENVIRONMENT_DIMENSION,
  METRICS_NAMESPACE,
  REASON_DIMENSION,
  SERVICE_NAME,
} from '../../lambdas/contract/observability';

/** The `component` dimension values the Lambdas pass to `createMetrics`. */
export const MetricComponent = {
  RECEIVER: Component.RECEIVER,
  CONSUMER: Component.CONSUMER,
  RECONCILER: Component.RECONCILER,
} as const;
export type MetricComponentName = (typeof MetricComponent)[keyof typeof MetricComponent];

/** Powertools adds the service name as this dimension to every metric. */
const SERVICE_DIMENSION = 'service';

/**
 * The receiver's own (EMF) metrics as CloudWatch sees them: namespace `FluentWebhookReceiver`, dimensions
 * `service`, `component`, the environment's name when the stack sets one, and `reason` for the split metrics.
 */
export class ReceiverMetrics {
  public constructor(
    private readonly environmentName: string | undefined,
    private readonly period: Duration,
  ) {}

  /** A count (Sum per period) of one metric, optionally narrowed to one reason. */
  public count(component: MetricComponentName, metricName: string, reason?: string): cloudwatch.Metric {
    const dimensionsMap = this.dimensions(component);
    if (reason !== undefined) dimensionsMap[REASON_DIMENSION] = reason;
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap,
      statistic: cloudwatch.Stats.SUM,
      period: this.period,
    });
  }

  /**
   * One line per reason (or per value of `splitBy`), whichever occur: a SEARCH expression (dashboards only; alarms
   * cannot search).
   */
  public byReason(
    component: MetricComponentName,
    metricName: string,
    splitBy: string = REASON_DIMENSION,
  ): cloudwatch.MathExpression {
    const dimensionNames = Object.keys({ ...this.dimensions(component), [splitBy]: '' }).sort();
    const filters = [
      `MetricName="${metricName}"`,
      ...Object.entries(this.dimensions(component)).map(([name, value]) => `${name}="${value}"`),
    ];
    return new cloudwatch.MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},${dimensionNames.join(',')}} ${filters.join(' ')}', 'Sum', ${this.period.toSeconds()})`,
      label: `\${PROP('Dim.${splitBy}')}`,
      period: this.period,
    });
  }

  private dimensions(component: MetricComponentName): Record<string, string> {
    const dimensions: Record<string, string> = { [SERVICE_DIMENSION]: SERVICE_NAME, [COMPONENT_DIMENSION]: component };
    if (this.environmentName !== undefined) dimensions[ENVIRONMENT_DIMENSION] = this.environmentName;
    return dimensions;
  }
}

/** Adds up metrics that may each be missing (no data in a period counts as 0). */
export function sumOf(
  label: string,
  period: Duration,
  metrics: Record<string, cloudwatch.IMetric>,
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: Object.keys(metrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics: metrics,
    label,
    period,
  });
}
