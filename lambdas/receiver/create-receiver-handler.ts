import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
// Imported module by module, not from '../core': the index pulls in the event schema (zod), which this Lambda never uses.
import { checkAllowList } from '../core/allow-list';
import { MAX_SQS_MESSAGE_BYTES } from '../core/constants';
import { BodyProblem, parseJsonObject } from '../core/parse-json';
import { invalidEventMessage, readFluentEvent } from '../core/fluent-event-rules';
import { isSqsSafeText, toQueuedWebhookMessage } from '../contract/queue-message';
import type { ReceiverSettings } from '../core/settings';
import { FluentSignatureVerifier } from '../core/verify-signature';
import {
  bodyByteLength,
  readEventId,
  readPathSecretFingerprint,
  readRawBody,
  readRequestId,
  readRoute,
  readSignatureHeaders,
} from './read-request';
import {
  ReceiverFailure,
  ReceiverFailureName,
  ReceiverOutcome,
  ReceiverOutcomeName,
  ReceiverReasonName,
  ReceiverRejection,
} from './receiver-outcomes';
import { acceptedResponse, errorResponse } from './receiver-responses';
import { sizeQueueMessage, toSendMessageInput } from './sqs-message';
import { REASON_DIMENSION, ReceiverMetric } from '../contract/observability';
import { boundedLogValue } from '../contract/log-values';

export interface ReceiverHandlerDependencies {
  /** Keys, signature policy and allow-list, parsed once at start-up. */
  settings: ReceiverSettings;
  sqsClient: SQSClient;
  queueUrl: string;
  logger: Logger;
  /** Stored metrics are published at the end of every invocation. */
  metrics: Metrics;
  /** Clock for the `ReceivedAt` attribute. @default () => new Date() */
  now?: () => Date;
}

export type ReceiverHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

/**
 * What one log line records about a request. Never the body, a signature, the path or the secret.
 * Every key exists from the start, in the order the line shows them (Powertools leaves undefined ones out): each
 * request fills one object of one shape and logs it as it is; copying it into a new object per line cost about as
 * much as building the whole queue message. A type, not an interface, as Powertools takes it as LogAttributes.
 */
type DecisionFields = {
  requestId: string;
  route: string;
  /** Which live path secret the request used, as its fingerprint (see `readPathSecretFingerprint`). */
  pathSecretFingerprint: string | undefined;
  bodyBytes: number | undefined;
  signatureHeader: string | undefined;
  keyFingerprint: string | undefined;
  eventId: string | undefined;
  messageId: string | undefined;
  outcome: ReceiverOutcomeName | undefined;
  status: number | undefined;
  reason: ReceiverReasonName | undefined;
  error: ErrorDescription | undefined;
};

function decisionFields(requestId: string, route: string, pathSecretFingerprint: string | undefined): DecisionFields {
  return {
    requestId,
    route,
    pathSecretFingerprint,
    bodyBytes: undefined,
    signatureHeader: undefined,
    keyFingerprint: undefined,
    eventId: undefined,
    messageId: undefined,
    outcome: undefined,
    status: undefined,
    reason: undefined,
    error: undefined,
  };
}

const QUEUE_LIMIT = `the queue carries at most ${MAX_SQS_MESSAGE_BYTES} bytes (1 MiB) per message, attributes included`;

/**
 * Builds the API Gateway (REST, Lambda proxy) handler that verifies a Fluent webhook and queues it.
 *
 * Order of checks, cheapest and least revealing first:
 * 1. size of the body (413) — judged before anything else, as it costs nothing and reveals nothing;
 * 2. signature over the raw bytes (401) — before any parsing, so unsigned input learns nothing about what we accept;
 * 3. route (400), JSON object in valid UTF-8 (400), account and retailer allow-list (403), a Fluent event by the
 *    consumer's rules (400), so that nothing is accepted that the consumer would refuse;
 * 4. size of the message as built (413: attributes, or the base64 form a body with non-XML characters needs);
 * 5. SendMessage (503 on any failure, so Fluent retries); 200 only after SendMessage succeeded.
 *
 * The handler never throws: an unexpected exception answers 500. Each request is one log line and its metrics.
 */
export function createReceiverHandler(deps: ReceiverHandlerDependencies): ReceiverHandler {
  const { settings, sqsClient, queueUrl, logger, metrics } = deps;
  const verifier = new FluentSignatureVerifier({ publicKeys: settings.publicKeys, policy: settings.signaturePolicy });
  const now = deps.now ?? ((): Date => new Date());

  const reject = (
    fields: DecisionFields,
    statusCode: number,
    reason: ReceiverReasonName,
    message: string,
  ): APIGatewayProxyResult => {
    fields.outcome = ReceiverOutcome.REJECTED;
    fields.status = statusCode;
    fields.reason = reason;
    logger.warn('Webhook rejected', fields);
    metrics.addMetric(ReceiverMetric.REJECTED, MetricUnit.Count, 1);
    if (statusCode === 401) metrics.addMetric(ReceiverMetric.SIGNATURE_REJECTED, MetricUnit.Count, 1);
    const byReason = metrics.singleMetric();
    byReason.addDimension(REASON_DIMENSION, reason);
    byReason.addMetric(ReceiverMetric.REJECTED, MetricUnit.Count, 1);
    return errorResponse(statusCode, reason, message, fields.requestId);
  };

  const fail = (
    fields: DecisionFields,
    statusCode: number,
    reason: ReceiverFailureName,
    message: string,
    error: unknown,
  ): APIGatewayProxyResult => {
    fields.outcome = ReceiverOutcome.FAILED;
    fields.status = statusCode;
    fields.reason = reason;
    fields.error = describeError(error);
    logger.error('Webhook not queued', fields);
    metrics.addMetric(
      reason === ReceiverFailure.QUEUE_UNAVAILABLE ? ReceiverMetric.ENQUEUE_FAILED : ReceiverMetric.INTERNAL_ERROR,
      MetricUnit.Count,
      1,
    );
    return errorResponse(statusCode, reason, message, fields.requestId);
  };

  const receive = async (
    event: APIGatewayProxyEvent,
    request: { readonly requestId: string; readonly route: string },
    fields: DecisionFields,
  ): Promise<APIGatewayProxyResult> => {
    const receivedAt = now().toISOString();
    const bodyBytes = bodyByteLength(event);
    fields.bodyBytes = bodyBytes;
    metrics.addMetric(ReceiverMetric.BODY_BYTES, MetricUnit.Bytes, bodyBytes);
    if (bodyBytes > MAX_SQS_MESSAGE_BYTES) {
      return reject(fields, 413, ReceiverRejection.BODY_TOO_LARGE, `The body is ${bodyBytes} bytes; ${QUEUE_LIMIT}.`);
    }

    const rawBody = readRawBody(event);
    const signatureHeaders = readSignatureHeaders(event);
    const verification = verifier.verify(rawBody, signatureHeaders);
    if (!verification.ok) return reject(fields, 401, verification.reason, verification.message);
    fields.signatureHeader = verification.header;
    fields.keyFingerprint = verification.keyFingerprint;

    if (!isSqsSafeText(request.route)) {
      return reject(
        fields,
        400,
        ReceiverRejection.INVALID_ROUTE,
        'The route (the path after /fluent/) holds control or non-character code points.',
      );
    }
    const json = parseJsonObject(rawBody);
    if (!json.ok) return reject(fields, 400, json.problem, json.message);
    fields.eventId = readEventId(json);
    const allowed = checkAllowList(json.object, settings.allowList, json.text);
    if (!allowed.ok) return reject(fields, 403, allowed.reason, allowed.message);
    const reading = readFluentEvent(json.object, json.text);
    if (!reading.ok) {
      return reject(fields, 400, BodyProblem.INVALID_EVENT, invalidEventMessage(reading.invalidFields));
    }

    const message = sizeQueueMessage(
      toQueuedWebhookMessage({
        rawBody,
        bodyText: json.text,
        bodyTextIsJson: true,
        headers: signatureHeaders,
        route: request.route,
        receivedAt,
        requestId: request.requestId,
      }),
    );
    if (message.bytes > MAX_SQS_MESSAGE_BYTES) {
      const why = message.base64 ? ' with the body base64-encoded (it holds characters SQS cannot carry as text)' : '';
      return reject(
        fields,
        413,
        ReceiverRejection.BODY_TOO_LARGE,
        `The queue message would be ${message.bytes} bytes${why}; ${QUEUE_LIMIT}.`,
      );
    }

    try {
      const sent = await sqsClient.send(
        new SendMessageCommand(toSendMessageInput(queueUrl, message.body, message.attributes)),
      );
      fields.messageId = sent.MessageId;
    } catch (error) {
      return fail(
        fields,
        503,
        ReceiverFailure.QUEUE_UNAVAILABLE,
        'The webhook could not be queued and was not accepted; retry later.',
        error,
      );
    }
    fields.outcome = ReceiverOutcome.ACCEPTED;
    fields.status = 200;
    logger.info('Webhook accepted', fields);
    metrics.addMetric(ReceiverMetric.ACCEPTED, MetricUnit.Count, 1);
    return acceptedResponse(fields.requestId);
  };

  return async (event, context) => {
    const request = { requestId: readRequestId(event ?? {}, context), route: readRoute(event ?? {}) };
    // The log line carries bounded copies; the queue message and the answer carry the values themselves.
    const fields = decisionFields(
      boundedLogValue(request.requestId),
      boundedLogValue(request.route),
      readPathSecretFingerprint(event ?? {}),
    );
    try {
      return await receive(event, request, fields);
    } catch (error) {
      return fail(
        fields,
        500,
        ReceiverFailure.INTERNAL_ERROR,
        'The receiver failed unexpectedly; the webhook was not queued. Retry later.',
        error,
      );
    } finally {
      publishQuietly(metrics, logger);
    }
  };
}

type ErrorDescription = {
  name: string;
  message: string;
  httpStatusCode?: number;
};

/** Name and message only: enough to diagnose, and an SDK or runtime error never carries the request body. */
function describeError(error: unknown): ErrorDescription {
  if (!(error instanceof Error)) return { name: 'NonError', message: String(error) };
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined
    ? { name: error.name, message: error.message }
    : { name: error.name, message: error.message, httpStatusCode: status };
}

/** Metrics must never turn an answered request into a failure. */
function publishQuietly(metrics: Metrics, logger: Logger): void {
  try {
    metrics.publishStoredMetrics();
  } catch (error) {
    logger.error('Could not publish metrics', { error: describeError(error) });
  }
}
