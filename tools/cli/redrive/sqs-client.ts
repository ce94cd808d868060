import { SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Any non-empty pair works: the local emulator accepts every signature. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
/** The emulator's queues live in one region; any fixed name will do when none is configured. */
const LOCAL_REGION = 'us-east-1';

export interface SqsClientOptions {
  readonly region?: string;
  readonly endpoint?: URL;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * An SQS client for the CLI. Against a loopback endpoint (the local runner's emulator) it needs no AWS
 * account: without configured credentials or region it uses fixed local ones.
 */
export function createSqsClient(options: SqsClientOptions): SQSClient {
  const config: SQSClientConfig = {};
  if (options.region !== undefined) config.region = options.region;
  if (options.endpoint !== undefined) {
    config.endpoint = options.endpoint.toString();
    if (LOOPBACK_HOSTS.has(options.endpoint.hostname)) {
      const { env } = options;
      if (env.AWS_ACCESS_KEY_ID === undefined && env.AWS_PROFILE === undefined) config.credentials = LOCAL_CREDENTIALS;
      config.region ??= env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? LOCAL_REGION;
    }
  }
  return new SQSClient(config);
}

/** The region in a standard SQS queue URL (`https://sqs.<region>.amazonaws.com/...`), if it has one. */
export function regionOfQueueUrl(url: URL): string | undefined {
  return /^sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(url.hostname)?.[1];
}
