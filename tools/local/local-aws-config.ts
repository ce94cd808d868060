import type { EmulatorDispatch } from './emulator-dispatch';
import { emulatorRequestHandler } from './emulator-request-handler';

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
  return { endpoint, region, credentials: EMULATOR_CREDENTIALS, signer: emulatorSigner(region) };
}

/**
 * The same for the local runner's own clients, which hand their requests to the emulator in-process rather than to its
 * port (emulator-request-handler.ts); the endpoint still names the emulator, in queue URLs and in the Host header.
 */
export function inProcessClientConfig(
  emulator: { readonly endpoint: string; readonly dispatch: EmulatorDispatch },
  region: string,
) {
  return {
    ...emulatorClientConfig(emulator.endpoint, region),
    requestHandler: emulatorRequestHandler(emulator.dispatch),
  };
}

/** What the SDK hands its signer: the request (its headers) and when, where and for which service it is signed. */
interface RequestToSign {
  readonly headers: Record<string, string>;
}
interface SigningOptions {
  readonly signingDate?: Date;
  readonly signingRegion?: string;
  readonly signingService?: string;
}

/**
 * Signs requests to the emulators the way they read them: neither checks a signature (the credentials are made up),
 * dynalite wants the SigV4 headers present and fauxqs reads the region from the credential scope. So each request gets
 * those headers, scoped to its date and the client's region, with a placeholder signature, instead of SigV4's hashes
 * and HMACs, which the SDK runs on a new signer for every request (docs/benchmarks.md: about 0.15 ms of CPU per call).
 * The SDK names the region to a signer of its own only for S3, hence the client's. Deployed, the Lambdas' clients sign
 * as always; nothing else about the requests changes.
 */
export function emulatorSigner(region: string) {
  return {
    async sign<Request extends RequestToSign>(request: Request, options: SigningOptions = {}): Promise<Request> {
      const amzDate = (options.signingDate ?? new Date()).toISOString().replace(/[-:]|\.\d{3}/g, '');
      const scope = `${amzDate.slice(0, 8)}/${options.signingRegion ?? region}/${options.signingService ?? 'local'}/aws4_request`;
      request.headers['x-amz-date'] = amzDate;
      request.headers.authorization = `AWS4-HMAC-SHA256 Credential=${EMULATOR_CREDENTIALS.accessKeyId}/${scope}, SignedHeaders=host;x-amz-date, Signature=${UNSIGNED}`;
      return request;
    },
  };
}
const UNSIGNED = '0'.repeat(64);

/** The same for an S3Client on fauxqs, which answers S3 path-style (`<endpoint>/<bucket>/<key>`) only. */
export function emulatorS3ClientConfig(endpoint: string, region: string) {
  return { ...emulatorClientConfig(endpoint, region), forcePathStyle: true };
}
