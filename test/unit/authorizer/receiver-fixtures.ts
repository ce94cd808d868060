import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A path secret as the stack would configure it; it must never show up in logs or responses. */
export const PATH_SECRET = 'pathSecret-do-not-log-0123456789abcdefXYZ';

export interface GatewayEventOptions {
  readonly body?: Buffer | string | null;
  /** @default true (API Gateway with binaryMediaTypes `*\/*` always base64-encodes) */
  readonly base64?: boolean;
  readonly headers?: Record<string, string>;
  readonly multiValueHeaders?: Record<string, string[]>;
  /** @default 'orders' */
  readonly route?: string | null;
  /** @default 'req-0001' */
  readonly requestId?: string;
  /** The secret path segment the request came in under. @default PATH_SECRET */
  readonly pathSecret?: string;
}

/** A REST API Lambda proxy event for POST /{secret}/fluent/{route+}, shaped as API Gateway sends it. */
export function gatewayEvent(options: GatewayEventOptions = {}): APIGatewayProxyEvent {
  const base64 = options.base64 ?? true;
  const raw = options.body ?? null;
  const body = raw === null ? null : base64 ? Buffer.from(raw).toString('base64') : raw.toString();
  const headers = options.headers ?? {};
  const route = options.route === undefined ? 'orders' : options.route;
  const secret = options.pathSecret ?? PATH_SECRET;
  const path = `/${secret}/fluent/${route ?? ''}`;
  return {
    body,
    isBase64Encoded: base64,
    headers,
    multiValueHeaders: options.multiValueHeaders ?? Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    httpMethod: 'POST',
    path,
    resource: `/${secret}/fluent/{route+}`,
    pathParameters: route === null ? null : { route },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {
      requestId: options.requestId ?? 'req-0001',
      path: `/webhooks${path}`,
      resourcePath: `/${secret}/fluent/{route+}`,
      httpMethod: 'POST',
      stage: 'webhooks',
    } as APIGatewayProxyEvent['requestContext'],
  } as APIGatewayProxyEvent;
}

/** Everything written to stdout and stderr (Powertools logs and EMF metrics) while it is installed. */
export interface CapturedOutput {
  readonly text: () => string;
  /** The JSON lines written, parsed; non-JSON lines are skipped. */
  readonly records: () => Array<Record<string, unknown>>;
  readonly restore: () => void;
}

export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const record = (chunk: unknown): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(record);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(record);
  const text = (): string => chunks.join('');
  return {
    text,
    records: () =>
      text()
        .split('\n')
        .filter((line) => line.trim().startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      stdout.mockRestore();
      stderr.mockRestore();
    },
  };
}

/** The log lines that record a decision (one per request). */
export function decisionLines(output: CapturedOutput): Array<Record<string, unknown>> {
  return output.records().filter((line) => 'outcome' in line);
}

/** EMF metric blobs: metric name, value and the dimensions they were emitted with. */
export function emittedMetrics(output: CapturedOutput): Array<{ name: string; value: unknown; dimensions: Record<string, unknown> }> {
  const metrics: Array<{ name: string; value: unknown; dimensions: Record<string, unknown> }> = [];
  for (const blob of output.records()) {
    const aws = blob._aws as { CloudWatchMetrics?: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } | undefined;
    for (const directive of aws?.CloudWatchMetrics ?? []) {
      const dimensionNames = directive.Dimensions.flat();
      const dimensions = Object.fromEntries(dimensionNames.map((name) => [name, blob[name]]));
      for (const metric of directive.Metrics) metrics.push({ name: metric.Name, value: blob[metric.Name], dimensions });
    }
  }
  return metrics;
}
