/** Everything local listens here only: nothing is reachable from the network. */
export const LOOPBACK_HOST = '127.0.0.1';

/** Emulators accept any credentials; fixed ones keep the SDK from searching profiles and instance metadata. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export function loopbackEndpoint(host: string, port: number): string {
  return `http://${host}:${port}`;
}

/**
 * Configuration for an AWS SDK v3 client (SQSClient, DynamoDBClient) that talks to a local emulator.
 * The explicit endpoint matters for SQS: without it the client would send requests to the host in each QueueUrl.
 */
export function emulatorClientConfig(endpoint: string, region: string) {
  return { endpoint, region, credentials: EMULATOR_CREDENTIALS };
}

/** The same for an S3Client on fauxqs, which answers S3 path-style (`<endpoint>/<bucket>/<key>`) only. */
export function emulatorS3ClientConfig(endpoint: string, region: string) {
  return { ...emulatorClientConfig(endpoint, region), forcePathStyle: true };
}
