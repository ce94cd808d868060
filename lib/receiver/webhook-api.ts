import { Aws } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';

const Field = apigateway.AccessLogField;

/**
 * One JSON object per request. Deliberately without `$context.path` and `$context.resourcePath`: both hold the
 * secret path segment. The verifying Lambda logs the route for requests that reach it.
 */
export function accessLogFormat(): apigateway.AccessLogFormat {
  return apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: Field.contextRequestId(),
      extendedRequestId: Field.contextExtendedRequestId(),
      requestTime: Field.contextRequestTime(),
      httpMethod: Field.contextHttpMethod(),
      status: Field.contextStatus(),
      responseLength: Field.contextResponseLength(),
      responseLatency: Field.contextResponseLatency(),
      integrationStatus: Field.contextIntegrationStatus(),
      integrationLatency: Field.contextIntegrationLatency(),
      sourceIp: Field.contextIdentitySourceIp(),
      userAgent: Field.contextIdentityUserAgent(),
      protocol: Field.contextProtocol(),
      errorType: Field.contextErrorResponseType(),
      errorMessage: Field.contextErrorMessage(),
      wafStatus: Field.contextWafResponseCode(),
    }),
  );
}

/** API Gateway's answers for requests it refuses itself, in the Lambda's JSON shape. None echoes the request. */
export const GATEWAY_RESPONSES: ReadonlyArray<{
  id: string;
  type: apigateway.ResponseType;
  statusCode?: string;
  error: string;
  message: string;
}> = [
  {
    // API Gateway answers an unknown path or method with 403 "Missing Authentication Token"; it means "no such endpoint".
    id: 'UnknownPathOrMethod',
    type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    statusCode: '404',
    error: 'not-found',
    message: '"No such endpoint."',
  },
  {
    id: 'Default4xx',
    type: apigateway.ResponseType.DEFAULT_4XX,
    error: 'request-refused',
    message: '$context.error.messageString',
  },
  {
    id: 'Default5xx',
    type: apigateway.ResponseType.DEFAULT_5XX,
    error: 'gateway-error',
    message: '$context.error.messageString',
  },
];

export function addGatewayResponses(api: apigateway.RestApi): void {
  for (const response of GATEWAY_RESPONSES) {
    api.addGatewayResponse(response.id, {
      type: response.type,
      statusCode: response.statusCode,
      templates: {
        'application/json': `{"error":"${response.error}","message":${response.message},"requestId":"$context.requestId"}`,
      },
    });
  }
}

/**
 * A Lambda proxy integration without the invoke permission `LambdaIntegration` adds itself: that permission's
 * construct id holds the resource path, and so the secret. The receiver grants the permission under a fixed id.
 */
export function lambdaProxyIntegration(handler: IFunction): apigateway.Integration {
  return new apigateway.Integration({
    type: apigateway.IntegrationType.AWS_PROXY,
    integrationHttpMethod: 'POST',
    uri: `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}:lambda:path/2015-03-31/functions/${handler.functionArn}/invocations`,
  });
}
