import { closeSync, openSync, writeSync } from 'node:fs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { signFluentPayload } from '../../lambdas/core';
import { GatewayStage, matchWebhookResource, toApiGatewayProxyEvent } from '../local/api-gateway-event';
import { fluentEventBody } from '../../test/support/factories';
import type { TestKeyPair } from '../../test/support/test-keys';

export const BENCH_ACCOUNT = 'ACME';
export const BENCH_STAGE: GatewayStage = {
  stage: 'webhooks',
  apiId: 'abc123',
  accountId: '123456789012',
  pathSecret: 'benchPathSecret-0123456789abcdefghijklmn',
};

/** A representative Fluent event padded to exactly `bytes` bytes of UTF-8 JSON. */
export function eventOfSize(bytes: number, id = '6a1f0c9e-2b7d-4c55-9e0a-3f1d2c4b5a69'): Buffer {
  const note = (length: number) => fluentEventBody({ id, attributes: { note: 'x'.repeat(length) } });
  const body = note(Math.max(0, bytes - note(0).length));
  if (body.length !== bytes) throw new Error(`The bench body is ${body.length} bytes, not ${bytes}.`);
  return body;
}

/**
 * The headers a Fluent webhook reaches API Gateway with (Java's HTTP client, then the load balancer in front
 * of API Gateway), as `req.rawHeaders` lists them.
 */
export function fluentRawHeaders(body: Buffer, keys: TestKeyPair): string[] {
  const signatures = signFluentPayload(body, keys.privateKey);
  return [
    'Accept',
    'application/json',
    'Content-Type',
    'application/json',
    'Host',
    'abc123.execute-api.eu-west-1.amazonaws.com',
    'User-Agent',
    'Apache-HttpClient/4.5.13 (Java/17.0.8)',
    'X-Amzn-Trace-Id',
    'Root=1-6560a1b2-0123456789abcdef01234567',
    'X-Forwarded-For',
    '203.0.113.7',
    'Fluent-Signature',
    signatures['fluent-signature'],
    'flex.signature',
    signatures['flex.signature'],
    'Content-Length',
    String(body.length),
  ];
}

/** The REST API proxy event the verifying Lambda gets for a signed webhook, built as the local gateway builds it. */
export function webhookProxyEvent(body: Buffer, rawHeaders: readonly string[], route = 'orders'): APIGatewayProxyEvent {
  const rawUrl = `/${BENCH_STAGE.pathSecret}/fluent/${route}`;
  const match = matchWebhookResource(rawUrl, BENCH_STAGE.pathSecret);
  if (match === undefined) throw new Error(`${rawUrl} does not match the webhook resource.`);
  return toApiGatewayProxyEvent(
    {
      method: 'POST',
      rawUrl,
      rawHeaders,
      body,
      sourceIp: '203.0.113.7',
      sourcePort: 50000,
      localPort: 443,
      requestId: 'c0ffee00-0000-4000-8000-000000000000',
      receivedAt: new Date(),
    },
    match,
    BENCH_STAGE,
  );
}

/**
 * Sends everything written to stdout and stderr to /dev/null with a real write per chunk, as Lambda's log
 * pipe costs a write too, until the returned function is called.
 */
export function logsToDevNull(): () => void {
  const fd = openSync('/dev/null', 'w');
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  const sink = ((chunk: string | Uint8Array) => {
    if (typeof chunk === 'string') writeSync(fd, chunk);
    else writeSync(fd, chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = sink;
  process.stderr.write = sink;
  return () => {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    closeSync(fd);
  };
}
