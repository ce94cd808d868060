import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { FluentApiEnv } from '../contract/environment';
import { FLUENT_STATUS_DIMENSION, FluentApiMetric } from '../contract/observability';
import {
  FluentApi,
  FluentApiClient,
  FluentAttemptRecord,
  FluentCallObserver,
  FluentNotConfiguredError,
  FluentOutboundEvent,
} from '../fluent-api';
import { HANDLER_TIME_RESERVE_MS } from './handler-deadline';

/** The log message of every Fluent API attempt. Log queries match this exact string. */
export const FLUENT_CALL_MESSAGE = 'fluent api call';

/** Why `context.fluent` is unavailable, naming what to set where. */
export const FLUENT_NOT_CONFIGURED_MESSAGE =
  `context.fluent is not configured: set ${FluentApiEnv.API_URL} and ${FluentApiEnv.ACCOUNT} with the credentials ` +
  `(in AWS the context settings fluentApiUrl, fluentApiAccount and fluentApiSecretName; locally and in the CLI ` +
  `${FluentApiEnv.CLIENT_ID} and ${FluentApiEnv.CLIENT_SECRET}, plus ${FluentApiEnv.USERNAME} and ${FluentApiEnv.PASSWORD} for the password grant).`;

/** The delivery a handler's Fluent call was made for. */
export interface FluentCallDelivery {
  /** The webhook's (Fluent event's) id: also `attributes.sourceEventId` of every event the handler sends. */
  readonly eventId: string;
  /** The SQS message id of this delivery. */
  readonly messageId: string;
}

/**
 * Told about every attempt of a handler's Fluent calls with the delivery it was made for (the local inspector shows
 * them per event). The record holds no URL, body, credential or token. Must not throw.
 */
export type FluentCallTap = (delivery: FluentCallDelivery, record: FluentAttemptRecord) => void;

/**
 * Per invocation: builds `context.fluent` for a handler, bounded by the handler's deadline, logging each
 * attempt on the handler's logger (so the line carries the event's ids) and counting it, and telling `tap` if given.
 */
export function fluentForInvocation(
  client: FluentApiClient | undefined,
  lambdaContext: Context,
  metrics: Metrics,
  tap?: FluentCallTap,
): (logger: Logger, delivery: FluentCallDelivery) => FluentApi {
  return (logger, delivery) => {
    if (client === undefined) throw new FluentNotConfiguredError(FLUENT_NOT_CONFIGURED_MESSAGE);
    const logged = fluentCallObserver(logger, metrics);
    const api = client.forInvocation({
      // The handler's own deadline, so a call that runs out of time fails inside the handler with a Fluent error.
      remainingTimeMs: () => lambdaContext.getRemainingTimeInMillis() - HANDLER_TIME_RESERVE_MS,
      // Without a tap (in Lambda) the observer is the logging one alone: nothing else runs per attempt.
      observer:
        tap === undefined
          ? logged
          : {
              attempt: (record) => {
                logged.attempt(record);
                tap(delivery, record);
              },
            },
    });
    return {
      sendEvent: (event, options) => api.sendEvent(withSourceEventId(event, delivery.eventId), options),
      graphql: api.graphql.bind(api),
      getEvents: api.getEvents.bind(api),
    };
  };
}

/**
 * The attribute every event sent from a handler carries: the id of the webhook (the Fluent event) it handles. A
 * handler runs at least once per webhook, so two events with the same name, entity and `sourceEventId` are one
 * call made twice; Fluent keeps `attributes` on the event, where a rule or a reader of the Event API can compare it.
 */
export const SOURCE_EVENT_ID_ATTRIBUTE = 'sourceEventId';

/** `event` with `attributes.sourceEventId`, unless it set one itself or its `attributes` is not an object. */
export function withSourceEventId(event: FluentOutboundEvent, webhookId: string): FluentOutboundEvent {
  // Not an event object: left for the client's own check to refuse with its message.
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return event;
  const attributes: unknown = event.attributes;
  if (attributes === undefined) return { ...event, attributes: { [SOURCE_EVENT_ID_ATTRIBUTE]: webhookId } };
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) return event;
  if (Object.hasOwn(attributes, SOURCE_EVENT_ID_ATTRIBUTE)) return event;
  return { ...event, attributes: { ...attributes, [SOURCE_EVENT_ID_ATTRIBUTE]: webhookId } };
}

/** One log line per attempt (operation, status, attempt, duration) and the call, retry and failure counts. */
export function fluentCallObserver(logger: Logger, metrics: Metrics): FluentCallObserver {
  return {
    attempt: (record) => {
      const fields = { ...record };
      if (record.next === 'fail') logger.error(FLUENT_CALL_MESSAGE, fields);
      else if (record.next === 'done') logger.info(FLUENT_CALL_MESSAGE, fields);
      else logger.warn(FLUENT_CALL_MESSAGE, fields);

      metrics.addMetric(FluentApiMetric.CALL, MetricUnit.Count, 1);
      if (record.next === 'retry' || record.next === 'refresh-token') {
        metrics.addMetric(FluentApiMetric.RETRY, MetricUnit.Count, 1);
      }
      if (record.next === 'fail') {
        metrics.addMetric(FluentApiMetric.CALL_FAILED, MetricUnit.Count, 1);
        const single = metrics.singleMetric();
        single.addDimension(FLUENT_STATUS_DIMENSION, record.status);
        single.addMetric(FluentApiMetric.CALL_FAILED, MetricUnit.Count, 1);
      }
    },
  };
}
