import { CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { HistoryBodies } from '../../lambdas/contract/history';

/** The consumer's one action on the bucket: it puts a large body, under the prefix, and never reads or lists. */
const HISTORY_BUCKET_WRITE_ACTIONS = ['s3:PutObject'];
/** What history readers take: the objects the items point to, by key (no listing). */
const HISTORY_BUCKET_READ_ACTIONS = ['s3:GetObject'];

/** One day past the history's retention: an item still listed can always follow its pointer. */
const EXPIRY_MARGIN_DAYS = 1;

/**
 * The bucket of bodies too large for their history item (docs/history-and-replay.md#large-bodies), created only for
 * this. Private (all four public access blocks, ACLs off: the bucket owner owns every object), TLS only (a bucket
 * policy denies `aws:SecureTransport` false), kept when the stack is deleted (it is part of the archive), and emptied
 * by a lifecycle rule a day after the history's retention. Encrypted with S3-managed keys (SSE-S3): the bodies are
 * readable only by the roles granted here, as with the history table's AWS-managed key; a KMS key would add a KMS
 * request to every PutObject and GetObject and a key policy to keep in step, for no reader it keeps out that IAM
 * does not.
 */
export function createHistoryBucket(scope: Construct, id: string, retentionDays: number): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      {
        id: 'ExpireWithTheHistory',
        prefix: HistoryBodies.KEY_PREFIX,
        expiration: Duration.days(retentionDays + EXPIRY_MARGIN_DAYS),
      },
    ],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'Only the consumer writes here and only history readers read, by key; their calls are in CloudTrail (data events when turned on). Server access logs would need a second bucket for a rarely used one.',
  });
  return bucket;
}

/** Lets `grantee` put objects under the bodies' prefix, and nothing else on the bucket. */
export function grantHistoryBodyWrite(bucket: s3.Bucket, grantee: iam.IGrantable): iam.Grant {
  return grantOnBodies(bucket, grantee, HISTORY_BUCKET_WRITE_ACTIONS);
}

/** Lets `grantee` read the bodies by key. */
export function grantHistoryBodyRead(bucket: s3.Bucket, grantee: iam.IGrantable): iam.Grant {
  return grantOnBodies(bucket, grantee, HISTORY_BUCKET_READ_ACTIONS);
}

function grantOnBodies(bucket: s3.Bucket, grantee: iam.IGrantable, actions: string[]): iam.Grant {
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions,
    resourceArns: [bucket.arnForObjects(`${HistoryBodies.KEY_PREFIX}*`)],
  });
  // Object keys are the event ids: the wildcard is the only way to name "this bucket's bodies", and nothing else.
  if (Construct.isConstruct(grantee.grantPrincipal)) {
    const bucketId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnElement);
    Validations.of(grantee.grantPrincipal).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${HistoryBodies.KEY_PREFIX}*]`,
      reason: `${actions.join(', ')} on the history bucket's bodies (one object per large body, keyed by event id): this bucket and prefix only.`,
    });
  }
  return grant;
}
