import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  ACCEPTED_RESPONSE_TEMPLATE,
  BODY_TOO_LARGE_STATUS_CODE,
  ERROR_RESPONSE_TEMPLATE,
  ERROR_STATUS_CODE,
  REQUEST_TEMPLATE_CONTENT_TYPE,
  SQS_SEND_MESSAGE_REQUEST_TEMPLATE,
  SUCCESS_SELECTION_PATTERN,
} from '../../lambdas/contract/sqs-integration-templates';

/** The content type the answers are written in, as the verifying Lambda writes them. */
const JSON_CONTENT_TYPE = 'application/json';

/** The role API Gateway sends to the queue with: SendMessage on that queue and nothing else. */
export function createGatewayQueueRole(scope: Construct, id: string, queue: sqs.IQueue): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    description: 'Queue-first door of the Fluent webhook receiver: API Gateway sends each request to its queue.',
  });
  allowSendMessage(role, queue);
  return role;
}

/** SendMessage to this queue only, and on an SSE-KMS queue the data key SendMessage generates and decrypts. */
export function allowSendMessage(role: iam.Role, queue: sqs.IQueue): void {
  role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
  const key = queue.encryptionMasterKey;
  if (key !== undefined) {
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }),
    );
  }
}

/**
 * An AWS service integration that turns the request into SQS SendMessage with the mapping templates of
 * `sqs-integration-templates.ts` (the ones the local gateway renders). `CONVERT_TO_TEXT` with the API's
 * `binaryMediaTypes` `*\/*` hands the template the body in base64, so every byte arrives as sent; passthrough
 * NEVER refuses a content type without a template (415) instead of forwarding it raw. SQS's 2xx answers 200; the
 * default response catches everything else as 503, which the error template turns into 413 for a body too large.
 */
export function sqsSendMessageIntegration(queue: sqs.IQueue, role: iam.IRole): apigateway.AwsIntegration {
  return new apigateway.AwsIntegration({
    service: 'sqs',
    // The queue's own account: an existing queue may live in another one.
    path: `${queue.env.account}/${queue.queueName}`,
    integrationHttpMethod: 'POST',
    options: {
      credentialsRole: role,
      passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
      contentHandling: apigateway.ContentHandling.CONVERT_TO_TEXT,
      requestParameters: {
        'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
      },
      requestTemplates: { [REQUEST_TEMPLATE_CONTENT_TYPE]: SQS_SEND_MESSAGE_REQUEST_TEMPLATE },
      integrationResponses: [
        {
          selectionPattern: SUCCESS_SELECTION_PATTERN,
          statusCode: '200',
          responseTemplates: { [JSON_CONTENT_TYPE]: ACCEPTED_RESPONSE_TEMPLATE },
        },
        {
          statusCode: String(ERROR_STATUS_CODE),
          responseTemplates: { [JSON_CONTENT_TYPE]: ERROR_RESPONSE_TEMPLATE },
        },
      ],
    },
  });
}

/** The statuses the queue-first method can answer; API Gateway needs each declared as a method response. */
export function queueFirstMethodResponses(): apigateway.MethodResponse[] {
  return ['200', String(BODY_TOO_LARGE_STATUS_CODE), String(ERROR_STATUS_CODE)].map((statusCode) => ({
    statusCode,
    responseModels: { [JSON_CONTENT_TYPE]: apigateway.Model.EMPTY_MODEL },
  }));
}
