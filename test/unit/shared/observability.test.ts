import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createMetrics } from '../../../lambdas/shared/observability';
import { METRICS_NAMESPACE } from '../../../lambdas/contract/observability';

/** Publishes one metric and returns the EMF document Powertools wrote to stdout. */
function publishOne(
  metrics: ReturnType<typeof createMetrics>,
): { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> } } & Record<string, unknown> {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    metrics.addMetric('WebhookAccepted', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    return JSON.parse(String(write.mock.calls[0]?.[0]));
  } finally {
    write.mockRestore();
  }
}

describe('Function: createMetrics', () => {
  it.each([
    ['without ENVIRONMENT_NAME', {}, [['service', 'component']], {}],
    ['with an empty ENVIRONMENT_NAME', { ENVIRONMENT_NAME: '' }, [['service', 'component']], {}],
    [
      'with ENVIRONMENT_NAME',
      { ENVIRONMENT_NAME: 'production' },
      [['service', 'component', 'environment']],
      { environment: 'production' },
    ],
  ])('sets the default dimensions %s', (_case, env, dimensions, extra) => {
    // Act
    const emf = publishOne(createMetrics('receiver', env));

    // Assess
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: METRICS_NAMESPACE, Dimensions: dimensions });
    expect(emf).toMatchObject({
      service: 'fluent-webhook-receiver',
      component: 'receiver',
      WebhookAccepted: 1,
      ...extra,
    });
  });
});
