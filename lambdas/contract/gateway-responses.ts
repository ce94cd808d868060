// API Gateway's own answers (requests it refuses before any integration runs), in the receiver's JSON error shape.
// The construct deploys them and the local gateway answers with them, so both say the same; no CDK import here.

/** One customised gateway response: API Gateway's response type by name, and what the body says. */
export interface GatewayResponseSpec {
  /** The construct id of the response. */
  readonly id: string;
  /** API Gateway's response type (`MISSING_AUTHENTICATION_TOKEN`, `DEFAULT_4XX`, ...). */
  readonly responseType: string;
  /** The status to answer with instead of API Gateway's own; unset keeps it. */
  readonly statusCode?: string;
  readonly error: string;
  /** VTL: a JSON string literal, or API Gateway's own message as a JSON string. */
  readonly message: string;
}

/** API Gateway's own message as a JSON string, the `message` of responses that keep it. */
export const GATEWAY_ERROR_MESSAGE = '$context.error.messageString';

/** API Gateway's answers for requests it refuses itself, in the Lambda's JSON shape. None echoes the request. */
export const GATEWAY_RESPONSES: readonly GatewayResponseSpec[] = [
  {
    // API Gateway answers an unknown path or method with 403 "Missing Authentication Token"; it means "no such endpoint".
    id: 'UnknownPathOrMethod',
    responseType: 'MISSING_AUTHENTICATION_TOKEN',
    statusCode: '404',
    error: 'not-found',
    message: '"No such endpoint."',
  },
  {
    id: 'Default4xx',
    responseType: 'DEFAULT_4XX',
    error: 'request-refused',
    message: GATEWAY_ERROR_MESSAGE,
  },
  {
    id: 'Default5xx',
    responseType: 'DEFAULT_5XX',
    error: 'gateway-error',
    message: GATEWAY_ERROR_MESSAGE,
  },
];

/** The response template of a gateway response: the receiver's error shape with API Gateway's request id. */
export function gatewayResponseTemplate(response: GatewayResponseSpec): string {
  return `{"error":"${response.error}","message":${response.message},"requestId":"$context.requestId"}`;
}
