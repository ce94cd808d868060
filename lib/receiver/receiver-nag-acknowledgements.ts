import { Validations } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { IConstruct } from 'constructs';

/** The parts of the receiver the findings concern. */
export interface AcknowledgedReceiverParts {
  readonly api: apigateway.RestApi;
  readonly webhookMethods: readonly apigateway.Method[];
  /** Undefined unless the WAF web ACL is on. */
  readonly firewall?: IConstruct;
}

/** Why the method has no API Gateway authorizer: shared by the two findings that ask for one. */
export const NO_AUTHORIZER_REASON =
  "Fluent cannot send credentials, and no API Gateway authorizer ever sees the request body. The body signature is the authentication: the Lambda behind this method verifies Fluent's RSA signature over the raw body (and the account allow-list) before anything is queued.";

/**
 * Acknowledges the cdk-nag AwsSolutions findings the receiver's design answers differently, each on the one
 * construct it concerns and with the reason. Acknowledgements are metadata: harmless when cdk-nag is not used.
 */
export function acknowledgeReceiverFindings(receiver: AcknowledgedReceiverParts): void {
  for (const method of receiver.webhookMethods) {
    for (const id of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
      Validations.of(method).acknowledge({ id, reason: NO_AUTHORIZER_REASON });
    }
  }
  Validations.of(receiver.api).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason:
      'API Gateway request validation would judge the body before its signature and cannot require "one of two signature headers". The verifying Lambda validates the signed raw body itself: size, signature, UTF-8 JSON object, allow-list.',
  });
  const cloudWatchRole = receiver.api.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole !== undefined) {
    Validations.of(cloudWatchRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level role API Gateway uses to write execution logs; AWS maintains this policy for exactly that role, and it grants only CloudWatch Logs writes.',
    });
  }
  if (receiver.firewall === undefined) {
    Validations.of(receiver.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'The WAF web ACL is optional (enableWaf) and off by default for its cost: the secret path, stage throttling and the signature check already refuse unsigned traffic before anything is queued.',
    });
  }
}
