import { Validations } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { IConstruct } from 'constructs';
import { Ingress, IngressName } from '../../lambdas/contract/ingress';

/** The parts of the receiver the findings concern. */
export interface AcknowledgedReceiverParts {
  readonly api: apigateway.RestApi;
  readonly webhookMethods: readonly apigateway.Method[];
  /** Undefined unless the WAF web ACL is on. */
  readonly firewall?: IConstruct;
  /** Who judges the body: the verifying Lambda at the door, or (queue-first) only the consumer. */
  readonly ingress: IngressName;
}

/** Why the method has no API Gateway authorizer: shared by the two findings that ask for one. */
export const NO_AUTHORIZER_REASON =
  "Fluent cannot send credentials, and no API Gateway authorizer ever sees the request body. The body signature is the authentication: the Lambda behind this method verifies Fluent's RSA signature over the raw body (and the account allow-list) before anything is queued.";

/** The same reason for a queue-first door, where the consumer is the only judge. */
export const NO_AUTHORIZER_REASON_QUEUE_FIRST =
  "Fluent cannot send credentials, and no API Gateway authorizer ever sees the request body. The body signature is the authentication: this queue-first door sends the raw body to SQS untouched, and the consumer verifies Fluent's RSA signature over it (and the account allow-list) before any handler runs, dropping forgeries.";

/** Why there is no WAF web ACL unless asked (APIG3), at a verify-first door. */
export const NO_WAF_REASON =
  'The WAF web ACL is optional (enableWaf) and off by default for its cost: the secret path, stage throttling and the signature check already refuse unsigned traffic before anything is queued.';

/** The same at a queue-first door, where everything under the secret path is queued and the consumer judges it. */
export const NO_WAF_REASON_QUEUE_FIRST =
  'The WAF web ACL is optional (enableWaf) and off by default for its cost: the secret path and stage throttling keep out traffic without the secret; what arrives under it is queued as it came, and the consumer verifies the signature (and the account allow-list) before any handler runs, dropping forgeries and counting them.';

/**
 * Acknowledges the cdk-nag AwsSolutions findings the receiver's design answers differently, each on the one
 * construct it concerns and with the reason. Acknowledgements are metadata: harmless when cdk-nag is not used.
 */
export function acknowledgeReceiverFindings(receiver: AcknowledgedReceiverParts): void {
  const queueFirst = receiver.ingress === Ingress.QUEUE_FIRST;
  for (const method of receiver.webhookMethods) {
    for (const id of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
      Validations.of(method).acknowledge({
        id,
        reason: queueFirst ? NO_AUTHORIZER_REASON_QUEUE_FIRST : NO_AUTHORIZER_REASON,
      });
    }
  }
  Validations.of(receiver.api).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason: queueFirst
      ? 'API Gateway request validation would judge the body before its signature and cannot require "one of two signature headers". The queue-first mapping template carries the raw body to SQS as it came (refusing only what cannot fit); the consumer validates it: signature, UTF-8 JSON object, allow-list.'
      : 'API Gateway request validation would judge the body before its signature and cannot require "one of two signature headers". The verifying Lambda validates the signed raw body itself: size, signature, UTF-8 JSON object, allow-list.',
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
      reason: queueFirst ? NO_WAF_REASON_QUEUE_FIRST : NO_WAF_REASON,
    });
  }
}
