import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
// Imported module by module, not from '../core': the index pulls in the event schema (zod), which this Lambda never uses.
import { checkAllowList } from '../core/allow-list';
import { FLEX_SIGNATURE_HEADER, MAX_SQS_MESSAGE_BYTES } from '../core/constants';
import { readSignatureHeaders } from '../core/headers';
import { BodyProblem, parseJsonObject } from '../core/parse-json';
import { invalidEventMessage, readFluentEvent } from '../core/fluent-event-rules';
import { encodeQueueMessage, sendMessageAttributes } from '../contract/queue-message';
import type { ReceiverSettings } from '../core/settings';
import { FluentSignatureVerifier } from '../core/verify-signature';
import {
  bodyByteLength,
  readEventId,
  readPathSecretFingerprint,
  readRawBody,
  readRequestId,
  readRoute,
} from './read-request';
import {
  ReceiverFailure,
  ReceiverFailureName,
  ReceiverOutcome,
  ReceiverReasonName,
  ReceiverRejection,
} from './receiver-outcomes';
import { acceptedResponse, errorResponse } from './receiver-responses';
import { REASON_DIMENSION, ReceiverMetric } from '../contract/observability';
import { boundedLogValue } from '../contract/log-values';
import { messageDeduplicationId, messageGroupId } from '../core/ordering-keys';
import { Ordering, type OrderingName } from '../contract/ordering';

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
  /**
   * `per-entity`: the queue is FIFO; each message carries the event's group (`messageGroupId`) and its id as the
   * deduplication id (`messageDeduplicationId`). @default 'unordered'
   */
  ordering?: OrderingName;
}

export type ReceiverHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

/**
 * What the decision line records about a request besides its outcome, in the order the line shows it (Powertools
 * leaves undefined ones out). Never the body, a signature, the path or the secret; request values cut to a
 * loggable length. A type, not an interface, as Powertools takes it as LogAttributes.
 */
type RequestFields = {
  requestId: string;
  route: string;
  /** Which live path secret the request used, as its fingerprint (see `readPathSecretFingerprint`). */
  pathSecretFingerprint: string | undefined;
  bodyBytes?: number;
  signatureHeader?: string;
  keyFingerprint?: string;
  eventId?: string | undefined;
  messageId?: string | undefined;
  /** per-entity ordering: the FIFO message group (account/type/ref, or its hash), so an order's lines can be found. */
  messageGroupId?: string | undefined;
};

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
  const fifo = deps.ordering === Ordering.PER_ENTITY;

  const reject = (
    fields: RequestFields,
    statusCode: number,
    reason: ReceiverReasonName,
    message: string,
  ): APIGatewayProxyResult => {
    logger.warn('Webhook rejected', { ...fields, outcome: ReceiverOutcome.REJECTED, status: statusCode, reason });
    metrics.addMetric(ReceiverMetric.REJECTED, MetricUnit.Count, 1);
    if (statusCode === 401) metrics.addMetric(ReceiverMetric.SIGNATURE_REJECTED, MetricUnit.Count, 1);
    const byReason = metrics.singleMetric();
    byReason.addDimension(REASON_DIMENSION, reason);
    byReason.addMetric(ReceiverMetric.REJECTED, MetricUnit.Count, 1);
    return errorResponse(statusCode, reason, message, fields.requestId);
  };

  const fail = (
    fields: RequestFields,
    statusCode: number,
    reason: ReceiverFailureName,
    message: string,
    error: unknown,
  ): APIGatewayProxyResult => {
    logger.error('Webhook not queued', {
      ...fields,
      outcome: ReceiverOutcome.FAILED,
      status: statusCode,
      reason,
      error: describeError(error),
    });
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
    fields: RequestFields,
  ): Promise<APIGatewayProxyResult> => {
    const receivedAt = now().toISOString();
    const bodyBytes = bodyByteLength(event);
    const sized: RequestFields = { ...fields, bodyBytes };
    metrics.addMetric(ReceiverMetric.BODY_BYTES, MetricUnit.Bytes, bodyBytes);
    if (bodyBytes > MAX_SQS_MESSAGE_BYTES) {
      return reject(sized, 413, ReceiverRejection.BODY_TOO_LARGE, `The body is ${bodyBytes} bytes; ${QUEUE_LIMIT}.`);
    }

    const rawBody = readRawBody(event);
    const signatures = readSignatureHeaders(event.multiValueHeaders, event.headers);
    const verification = verifier.verifySignatures(rawBody, signatures);
    if (!verification.ok) return reject(sized, 401, verification.reason, verification.message);
    const verified: RequestFields = {
      ...sized,
      signatureHeader: verification.header,
      keyFingerprint: verification.keyFingerprint,
    };

    const encoded = encodeQueueMessage({
      rawBody,
      signatures,
      route: request.route,
      receivedAt,
      requestId: request.requestId,
    });
    if (!encoded.ok) {
      if (encoded.field !== 'route') throw new Error(`The ${encoded.field} holds characters SQS cannot carry.`);
      return reject(
        verified,
        400,
        ReceiverRejection.INVALID_ROUTE,
        'The route (the path after /fluent/) holds control or non-character code points.',
      );
    }
    const json = parseJsonObject(rawBody);
    if (!json.ok) return reject(verified, 400, json.problem, json.message);
    const identified: RequestFields = { ...verified, eventId: readEventId(json) };
    const allowed = checkAllowList(json.object, settings.allowList, json.text);
    if (!allowed.ok) return reject(identified, 403, allowed.reason, allowed.message);
    const reading = readFluentEvent(json.object, json.text);
    if (!reading.ok) {
      return reject(identified, 400, BodyProblem.INVALID_EVENT, invalidEventMessage(reading.invalidFields));
    }

    const { message } = encoded;
    if (message.bytes > MAX_SQS_MESSAGE_BYTES) {
      const why = message.base64 ? ' with the body base64-encoded (it holds characters SQS cannot carry as text)' : '';
      return reject(
        identified,
        413,
        ReceiverRejection.BODY_TOO_LARGE,
        `The queue message would be ${message.bytes} bytes${why}; ${QUEUE_LIMIT}.`,
      );
    }

    // per-entity: one group per root entity; the event id lets SQS drop Fluent's retries of it for 5 minutes.
    const fifoFields = fifo
      ? {
          MessageGroupId: messageGroupId(reading.event),
          MessageDeduplicationId: messageDeduplicationId(reading.deduplicationKey),
        }
      : {};
    const grouped: RequestFields = fifo ? { ...identified, messageGroupId: fifoFields.MessageGroupId } : identified;
    let messageId: string | undefined;
    try {
      const sent = await sqsClient.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: message.body,
          MessageAttributes: sendMessageAttributes(message),
          ...fifoFields,
        }),
      );
      messageId = sent.MessageId;
    } catch (error) {
      return fail(
        grouped,
        503,
        ReceiverFailure.QUEUE_UNAVAILABLE,
        'The webhook could not be queued and was not accepted; retry later.',
        error,
      );
    }
    logger.info('Webhook accepted', { ...grouped, messageId, outcome: ReceiverOutcome.ACCEPTED, status: 200 });
    metrics.addMetric(ReceiverMetric.ACCEPTED, MetricUnit.Count, 1);
    if (verification.header === FLEX_SIGNATURE_HEADER)
      metrics.addMetric(ReceiverMetric.MD5_ONLY_ACCEPTED, MetricUnit.Count, 1);
    return acceptedResponse(fields.requestId);
  };

  return async (event, context) => {
    const request = { requestId: readRequestId(event ?? {}, context), route: readRoute(event ?? {}) };
    // The log line carries bounded copies; the queue message and the answer carry the values themselves.
    const fields: RequestFields = {
      requestId: boundedLogValue(request.requestId),
      route: boundedLogValue(request.route),
      pathSecretFingerprint: readPathSecretFingerprint(event ?? {}),
    };
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
