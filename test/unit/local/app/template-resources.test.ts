import { CfnType } from '../../../../tools/local/app/cloud-template';
import { resolveValue } from '../../../../tools/local/app/intrinsics';
import { generatedBucketName, TemplateResources } from '../../../../tools/local/app/template-resources';

/** S3's rules for a bucket name, as fauxqs's createBucket checks them (3-63 characters, lower case, no edge hyphen). */
const VALID_BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The name `fluent-webhook local --app` gives the template's bucket: its `Ref`, the name it creates the bucket by. */
function bucketNameFor(stackName: string, logicalId: string, properties: Record<string, unknown> = {}): unknown {
  const template = { Resources: { [logicalId]: { Type: CfnType.BUCKET, Properties: properties } } };
  const resources = new TemplateResources(template, { stackName, region: 'eu-west-1', accountId: '000000000000' });
  return resolveValue({ Ref: logicalId }, resources.resolveContextFor('http://127.0.0.1:1'));
}

describe('Class: TemplateResources, a bucket without a BucketName', () => {
  it('is named <stack>-<logical id> in lower case when that is a valid bucket name', () => {
    expect(bucketNameFor('FluentWebhooks-dev', 'HistoryBucket1A2B3C4D')).toBe(
      'fluentwebhooks-dev-historybucket1a2b3c4d',
    );
  });

  it('gets a valid name, a readable prefix and a hash, when <stack>-<logical id> is longer than 63 characters', () => {
    // Prepare: 73 characters in full, as a production stack in a long region names it.
    const stackName = 'FluentWebhooks-production-eu-west-1';
    const logicalId = 'WebhooksConsumerHistoryBucket1A2B3C4D';

    // Act
    const name = String(bucketNameFor(stackName, logicalId));

    // Assess
    expect(name).toMatch(VALID_BUCKET_NAME);
    expect(name).toMatch(/^fluentwebhooks-production-eu-west-1-webhooksconsum-[0-9a-f]{12}$/);
  });

  it('gives the same name at every start and different names to buckets that share the cut prefix', () => {
    const stackName = 'FluentWebhooks-production-eu-west-1-with-a-stack-name-this-long';

    expect(generatedBucketName(stackName, 'HistoryBucketA')).toBe(generatedBucketName(stackName, 'HistoryBucketA'));
    expect(generatedBucketName(stackName, 'HistoryBucketA')).not.toBe(generatedBucketName(stackName, 'HistoryBucketB'));
  });

  it.each([
    ['a 128-character stack name', `S${'x'.repeat(127)}`, 'Bucket'],
    ['a prefix cut right after a hyphen', `${'a'.repeat(49)}-${'b'.repeat(20)}`, 'Bucket'],
    ['a name too short for S3', 'S', ''],
  ])('gives a valid bucket name for %s', (_case, stackName, logicalId) => {
    expect(generatedBucketName(stackName, logicalId)).toMatch(VALID_BUCKET_NAME);
  });

  it('keeps a BucketName the template gives as it is', () => {
    expect(bucketNameFor('FluentWebhooks-dev', 'HistoryBucket', { BucketName: 'my-history' })).toBe('my-history');
  });
});
