import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { CallGuard, startCallGuard } from '../../../../tools/local/app/aws-call-guard';
import { emulatorS3ClientConfig } from '../../../../tools/local/local-aws-config';
import { RunningEmulators, startEmulators } from '../../../support/emulators';

const BUCKET = 'history';

describe('Function: startCallGuard, S3 calls', () => {
  let emulators: RunningEmulators;
  let guard: CallGuard;
  let guarded: S3Client;
  let direct: S3Client;

  beforeAll(async () => {
    emulators = await startEmulators({ buckets: [BUCKET] });
    guard = await startCallGuard({
      host: '127.0.0.1',
      // GetObject and PutObject on the objects: what a copy, an ACL or a tagging call would pass as if read by method.
      role: {
        logicalId: 'ConsumerRole',
        roleArn: 'arn:aws:iam::000000000000:role/consumer',
        identityPolicies: [
          {
            name: 'ConsumerPolicy',
            statements: [
              { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${BUCKET}/*` },
            ],
          },
        ],
      },
      sqsEndpoint: emulators.sqsEndpoint,
      dynamoDbEndpoint: emulators.dynamoDbEndpoint,
      region: emulators.region,
      accountId: '000000000000',
      resourcePolicy: () => undefined,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    guarded = new S3Client({ ...emulatorS3ClientConfig(guard.endpoint, emulators.region), maxAttempts: 1 });
    direct = new S3Client({ ...emulatorS3ClientConfig(emulators.sqsEndpoint, emulators.region), maxAttempts: 1 });
    await guarded.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'source', Body: 'large body' }));
  });
  afterAll(async () => {
    guarded?.destroy();
    direct?.destroy();
    await guard?.close();
    await emulators?.close();
  });

  /** The status the guard answered a refused call with (it throws with the status, whatever S3 error it parsed). */
  const refusal = (call: Promise<unknown>) =>
    call.then(
      () => 'answered',
      (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode,
    );

  it('passes the object calls it knows on, authorised as their action', async () => {
    const { Body } = await guarded.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'source' }));
    expect(await Body?.transformToString()).toBe('large body');
    expect((await guarded.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'source' }))).ContentLength).toBe(10);
  });

  it('refuses a PUT with x-amz-copy-source (CopyObject also reads its source), and nothing is copied', async () => {
    const copy = guarded.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy', CopySource: `${BUCKET}/source` }));

    expect(await refusal(copy)).toBe(400);
    expect(await refusal(direct.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'copy' })))).toBe(404);
  });

  it.each([
    ['PUT ?acl (PutObjectAcl)', () => new PutObjectAclCommand({ Bucket: BUCKET, Key: 'source', ACL: 'public-read' })],
    [
      'PUT ?tagging (PutObjectTagging)',
      () =>
        new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'source', Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }),
    ],
    [
      'GET ?versionId (GetObjectVersion)',
      () => new GetObjectCommand({ Bucket: BUCKET, Key: 'source', VersionId: 'v1' }),
    ],
  ])('refuses %s as a call it does not know', async (_call, command) => {
    expect(await refusal(guarded.send(command() as PutObjectCommand))).toBe(400);
  });

  it('refuses an object path that is not valid percent-encoding as a call it does not know', async () => {
    const answer = await fetch(`${guard.endpoint}/${BUCKET}/%E0%A4%A`, { method: 'GET' });

    expect(answer.status).toBe(400);
  });
});
