import { createHash, randomUUID } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import { encodeQueueMessage, sendMessageAttributes } from '../../../lambdas/contract/queue-message';
import { readSignatureHeaders } from '../../../lambdas/core/headers';
import { signFluentPayload } from '../../../lambdas/core/sign-payload';
import { DEFAULT_STAGE_NAME } from '../../../lambdas/contract/deployment';
import { PATH_SECRET_ENV } from '../../../lambdas/contract/environment';
import { matchWebhookResource, toApiGatewayProxyEvent, WEBHOOK_METHOD } from '../../local/api-gateway-event';
import { toSqsEvent } from '../../local/sqs-event-records';
import { CliCommand, ExitCode, UsageError } from '../command';
import { readEventBody, sampleNames } from '../event-body';
import { parseOptions, required } from '../parse-options';
import { readPrivateKey } from './sign';

/** Stands in for the path secret when WEBHOOK_PATH_SECRET is not set: the event must not carry a real one by accident. */
export const PLACEHOLDER_PATH_SECRET = 'replace-with-your-path-secret-0000000000';
/** Where the invented API, queue and account of the event live: nothing in them is looked up. */
const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';
const API_ID = 'fluentwhk1';
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:fluent-webhooks`;
const FORMATS = ['apigateway', 'sqs'] as const;
type EventFormat = (typeof FORMATS)[number];

export const eventCommand: CliCommand = {
  name: 'event',
  summary: 'Write a signed Lambda event (API Gateway proxy or SQS) for sam local invoke -e.',
  usage: [
    'Usage: fluent-webhook event --private-key FILE (--body-file FILE | --sample NAME) [--route R] [--format apigateway|sqs]',
    '',
    'Signs the exact bytes of the body as Fluent does and prints, as JSON on standard output, the event a Lambda',
    'receives for it, to save as a file for `sam local invoke -e FILE`:',
    '  apigateway  the REST API proxy event API Gateway builds for the verifying Lambda: body base64-encoded',
    '              (binaryMediaTypes */*), headers and multiValueHeaders with both signatures, pathParameters,',
    '              requestContext',
    '  sqs         the SQS event the consumer Lambda receives once the verifying Lambda has queued that request:',
    '              the queue message (raw body, signature, route, receive time and request id attributes)',
    `The path in the event holds ${PATH_SECRET_ENV} (the first secret, when it lists several) or, when that is`,
    `not set, the placeholder ${PLACEHOLDER_PATH_SECRET}. Every run has a new request id.`,
    '',
    'Options:',
    '  --private-key FILE   RSA private key, PEM, whose public key the receiver is configured with',
    '  --body-file FILE     the event body, byte for byte',
    `  --sample NAME        or one of the sample events in samples/ (${sampleNames().join(', ')})`,
    '  --route R            the route after /fluent/ in the webhook URL (default: orders)',
    '  --format F           apigateway (default) or sqs',
  ].join('\n'),

  run(argv, io) {
    const options = parseOptions(argv, {
      'private-key': { type: 'string' },
      'body-file': { type: 'string' },
      sample: { type: 'string' },
      route: { type: 'string', default: 'orders' },
      format: { type: 'string', default: 'apigateway' },
    });
    const privateKey = readPrivateKey(required(options['private-key'], 'private-key'));
    const body = readEventBody('body-file', options['body-file'], options.sample);
    const format = readFormat(options.format);
    const pathSecret = io.env[PATH_SECRET_ENV]?.split(',')[0]?.trim() || PLACEHOLDER_PATH_SECRET;
    const match = matchWebhookResource(`/${pathSecret}/fluent/${options.route}`, pathSecret);
    if (match === undefined) {
      throw new UsageError(
        `--route ${options.route}: give one or more non-empty path segments, for example orders/status.`,
      );
    }
    const signatures = signFluentPayload(body, privateKey);
    const requestId = randomUUID();
    const receivedAt = new Date();
    const proxyEvent = toApiGatewayProxyEvent(
      {
        method: WEBHOOK_METHOD,
        rawUrl: match.path,
        rawHeaders: [
          'Host',
          `${API_ID}.execute-api.${REGION}.amazonaws.com`,
          'Content-Type',
          'application/json',
          ...Object.entries(signatures).flat(),
        ],
        body,
        sourceIp: '203.0.113.10',
        sourcePort: 443,
        localPort: 443,
        requestId,
        receivedAt,
      },
      match,
      { stage: DEFAULT_STAGE_NAME, apiId: API_ID, accountId: ACCOUNT_ID, pathSecret },
    );
    if (format === 'apigateway') {
      io.out(JSON.stringify(proxyEvent, null, 2));
      return ExitCode.OK;
    }
    const encoded = encodeQueueMessage({
      rawBody: body,
      signatures: readSignatureHeaders(proxyEvent.multiValueHeaders, proxyEvent.headers),
      route: match.route,
      receivedAt: receivedAt.toISOString(),
      requestId,
    });
    if (!encoded.ok) {
      throw new UsageError(`--route ${options.route}: holds a character an SQS attribute cannot carry.`);
    }
    const message = queuedMessage(encoded.message.body, sendMessageAttributes(encoded.message), receivedAt);
    io.out(JSON.stringify(toSqsEvent([message], QUEUE_ARN, REGION), null, 2));
    return ExitCode.OK;
  },
};

/** The message as ReceiveMessage would return it on its first receive. */
function queuedMessage(body: string, attributes: Message['MessageAttributes'], sentAt: Date): Message {
  return {
    MessageId: randomUUID(),
    ReceiptHandle: `fluent-webhook-event-${randomUUID()}`,
    Body: body,
    MD5OfBody: createHash('md5').update(body, 'utf8').digest('hex'),
    Attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(sentAt.getTime()),
      SenderId: 'AROAEXAMPLE:fluent-webhook-receiver',
      ApproximateFirstReceiveTimestamp: String(sentAt.getTime()),
    },
    MessageAttributes: attributes,
  };
}

function readFormat(value: string | undefined): EventFormat {
  if ((FORMATS as readonly string[]).includes(value ?? '')) return value as EventFormat;
  throw new UsageError(`--format ${value}: use apigateway or sqs.`);
}
