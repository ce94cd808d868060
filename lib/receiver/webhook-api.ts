import { Aws } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { GATEWAY_RESPONSES, gatewayResponseTemplate } from '../../lambdas/contract/gateway-responses';

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

export function addGatewayResponses(api: apigateway.RestApi): void {
  for (const response of GATEWAY_RESPONSES) {
    api.addGatewayResponse(response.id, {
      type: apigateway.ResponseType.of(response.responseType),
      statusCode: response.statusCode,
      templates: { 'application/json': gatewayResponseTemplate(response) },
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
