import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  ACCEPTED_RESPONSE_TEMPLATE,
  ERROR_RESPONSE_TEMPLATE,
  ERROR_STATUS_CODE,
  REQUEST_TEMPLATE_CONTENT_TYPE,
  ROUTE_PATH_PARAMETER,
  SQS_SEND_MESSAGE_REQUEST_TEMPLATE,
  SUCCESS_SELECTION_PATTERN,
} from '../../lambdas/contract/sqs-integration-templates';
import type { GatewayRequest, GatewayStage, WebhookResourceMatch } from './api-gateway-event';
import { renderMappingTemplate } from './vtl/render-mapping-template';
import { queryErrorXml, readSendMessageForm, sendMessageResponseXml } from './sqs-query-form';

/** What SQS answered the integration request: its HTTP status and body. */
interface SqsAnswer {
  readonly statusCode: number;
  readonly body: string;
}

/** An integration answer, or one API Gateway gives itself (415 for a content type without a template). */
export type ServiceIntegrationOutcome =
  { readonly result: APIGatewayProxyResult } | { readonly unsupportedMediaType: true };

export type ServiceIntegration = (
  request: GatewayRequest,
  match: WebhookResourceMatch,
) => Promise<ServiceIntegrationOutcome>;

/** An integration response: the SQS statuses it is selected for (none: the default), its status and template. */
export interface IntegrationResponseMapping {
  readonly selectionPattern?: string;
  readonly statusCode: number;
  readonly template: string;
}

/** The method's mapping: request templates by content type (passthrough NEVER) and integration responses. */
export interface SqsIntegrationMapping {
  readonly requestTemplates: Readonly<Record<string, string>>;
  readonly responses: readonly IntegrationResponseMapping[];
}

/** The construct's own mapping, as `lambdas/contract/sqs-integration-templates.ts` defines it. */
export const STACK_SQS_MAPPING: SqsIntegrationMapping = {
  requestTemplates: { [REQUEST_TEMPLATE_CONTENT_TYPE]: SQS_SEND_MESSAGE_REQUEST_TEMPLATE },
  responses: [
    { selectionPattern: SUCCESS_SELECTION_PATTERN, statusCode: 200, template: ACCEPTED_RESPONSE_TEMPLATE },
    { statusCode: ERROR_STATUS_CODE, template: ERROR_RESPONSE_TEMPLATE },
  ],
};

/**
 * The queue-first door as the stack deploys it: API Gateway renders the request template into an SQS SendMessage
 * form, SQS answers, and the integration response whose selection pattern matches that status renders the answer.
 * The templates are the construct's own strings. SQS is reached through the SDK because the emulator speaks only
 * the JSON protocol; the form is read as SQS reads it (`readSendMessageForm`). A connection failure throws, which
 * the gateway answers with a 5xx of its own, as API Gateway does.
 */
export function sqsSendMessageIntegration(options: {
  readonly sqsClient: SQSClient;
  readonly queueUrl: string;
  readonly stage: GatewayStage;
  /** @default STACK_SQS_MAPPING */
  readonly mapping?: SqsIntegrationMapping;
}): ServiceIntegration {
  const { sqsClient, queueUrl, stage, mapping = STACK_SQS_MAPPING } = options;
  return async (request, match) => {
    const requestTemplate = mapping.requestTemplates[requestContentType(request.rawHeaders)];
    if (requestTemplate === undefined) return { unsupportedMediaType: true };
    const context = templateContext(request, stage);
    const form = renderMappingTemplate(requestTemplate, {
      // binaryMediaTypes */* with CONVERT_TO_TEXT: the template sees the body in base64, whatever its content.
      body: request.body.toString('base64'),
      params: {
        path: { [ROUTE_PATH_PARAMETER]: match.route },
        querystring: Object.fromEntries(new URLSearchParams(request.rawUrl.split('?')[1] ?? '')),
        header: lastHeaderValues(request.rawHeaders),
      },
      context,
    }).output;
    const answer = await sendForm(sqsClient, queueUrl, form);
    const selected = selectIntegrationResponse(mapping.responses, answer.statusCode);
    const response = renderMappingTemplate(selected.template, { body: answer.body, context });
    return {
      result: {
        statusCode: response.statusOverride ?? selected.statusCode,
        headers: { 'Content-Type': 'application/json' },
        body: response.output,
      },
    };
  };
}

/** SendMessage with the form's fields, answered as SQS answers the Query API. */
async function sendForm(sqsClient: SQSClient, queueUrl: string, form: string): Promise<SqsAnswer> {
  const sqsRequestId = randomUUID();
  const reading = readSendMessageForm(form, queueUrl);
  if (!reading.ok) return { statusCode: 400, body: queryErrorXml(reading.code, reading.message, sqsRequestId) };
  try {
    const sent = await sqsClient.send(new SendMessageCommand(reading.input));
    return { statusCode: 200, body: sendMessageResponseXml(sent.MessageId ?? '', sqsRequestId) };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    // No status: SQS never answered (connection refused or reset). API Gateway answers that itself.
    if (status === undefined) throw error;
    const name = error instanceof Error ? error.name : 'InternalError';
    const message = error instanceof Error ? error.message : String(error);
    return { statusCode: status, body: queryErrorXml(name, message, sqsRequestId) };
  }
}

/**
 * For an AWS integration API Gateway matches each integration response's selection pattern against the status the
 * service answered; the response without a pattern is the default.
 */
function selectIntegrationResponse(
  responses: readonly IntegrationResponseMapping[],
  statusCode: number,
): IntegrationResponseMapping {
  const matched = responses.find(
    (response) =>
      response.selectionPattern !== undefined &&
      new RegExp(`^(?:${response.selectionPattern})$`).test(String(statusCode)),
  );
  const selected = matched ?? responses.find((response) => response.selectionPattern === undefined);
  if (selected === undefined) throw new Error(`No integration response for SQS status ${statusCode}.`);
  return selected;
}

/**
 * API Gateway picks the request template by the request's Content-Type, `application/json` when there is none,
 * and with passthrough NEVER refuses a type without a template with 415. Parameters such as `charset` are ignored
 * here; how API Gateway matches a Content-Type with parameters has not been verified on AWS.
 */
function requestContentType(rawHeaders: readonly string[]): string {
  const contentType = lastHeaderValues(rawHeaders, true)['content-type'];
  if (contentType === undefined || contentType.trim() === '') return REQUEST_TEMPLATE_CONTENT_TYPE;
  return contentType.split(';')[0]?.trim().toLowerCase() ?? REQUEST_TEMPLATE_CONTENT_TYPE;
}

/**
 * `$input.params().header`: one value per name, the last one sent, names in the sender's casing. API Gateway REST
 * documents repeated headers only through its single- and multi-value sources: `method.request.header.<name>` and
 * the proxy event's `headers` hold one value (its own example: `multiValueHeaders` `["value1","value2"]`, `headers`
 * `"value2"`), all values are only in `method.request.multivalueheader.<name>` / `multiValueHeaders`, and a mapping
 * template's `$input.params()` is the single-value view. Unlike HTTP APIs, REST APIs do not comma-join repeats.
 */
function lastHeaderValues(rawHeaders: readonly string[], lowerCaseNames = false): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string;
    headers[lowerCaseNames ? name.toLowerCase() : name] = rawHeaders[index + 1] as string;
  }
  return headers;
}

/** The `$context` variables the templates read. */
function templateContext(request: GatewayRequest, stage: GatewayStage): Record<string, string | number> {
  return {
    requestId: request.requestId,
    requestTimeEpoch: request.receivedAt.getTime(),
    stage: stage.stage,
    apiId: stage.apiId,
    accountId: stage.accountId,
    httpMethod: request.method,
  };
}
