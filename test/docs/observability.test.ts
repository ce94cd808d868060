import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as observability from '../../lambdas/contract/observability';
import { docFiles } from '../../tools/docs/doc-blocks';

const ROOT = join(__dirname, '..', '..');
const pages = docFiles(ROOT)
  .filter((file) => file.startsWith('docs/'))
  .map((file) => readFileSync(join(ROOT, file), 'utf8'))
  .join('\n');

/** Every metric name the contract defines: the values of its `…Metric` objects. */
const metricNames = Object.entries(observability)
  .filter(([name, value]) => name.endsWith('Metric') && typeof value === 'object' && value !== null)
  .flatMap(([, value]) => Object.values(value as Record<string, string>));

describe('Docs: metrics and log reasons against lambdas/contract/observability.ts', () => {
  it('finds the metric names', () => {
    // Assess: the receiver's and the consumer's at least.
    expect(metricNames).toEqual(expect.arrayContaining(['WebhookAccepted', 'EventProcessed']));
  });

  it.each(metricNames)('documents the metric %s', (metric) => {
    // Assess
    expect(pages).toContain(`\`${metric}\``);
  });

  it.each(Object.values(observability.RecordFailureReason))('documents the consumer failure reason %s', (reason) => {
    // Assess
    expect(pages).toContain(`\`${reason}\``);
  });
});
