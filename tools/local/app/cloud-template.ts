/** A CloudFormation template as `cdk synth` writes it, read as JSON: only the parts the app runner uses are typed. */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
  readonly Parameters?: Readonly<Record<string, { readonly Type?: string; readonly Default?: unknown }>>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

/** A resource with its logical id, the name the template gives it. */
export interface NamedResource {
  readonly logicalId: string;
  readonly resource: CfnResource;
}

/** Every resource of one CloudFormation type, in template order. */
export function resourcesOfType(template: CfnTemplate, type: string): NamedResource[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => ({ logicalId, resource }));
}

/** A property of a resource, or undefined. */
export function property(resource: CfnResource, name: string): unknown {
  return resource.Properties?.[name];
}

/** CloudFormation resource types the runner creates or reads. */
export const CfnType = {
  QUEUE: 'AWS::SQS::Queue',
  QUEUE_POLICY: 'AWS::SQS::QueuePolicy',
  TABLE: 'AWS::DynamoDB::Table',
  BUCKET: 'AWS::S3::Bucket',
  BUCKET_POLICY: 'AWS::S3::BucketPolicy',
  ROLE: 'AWS::IAM::Role',
  POLICY: 'AWS::IAM::Policy',
  MANAGED_POLICY: 'AWS::IAM::ManagedPolicy',
  FUNCTION: 'AWS::Lambda::Function',
  PERMISSION: 'AWS::Lambda::Permission',
  EVENT_SOURCE_MAPPING: 'AWS::Lambda::EventSourceMapping',
  REST_API: 'AWS::ApiGateway::RestApi',
  API_RESOURCE: 'AWS::ApiGateway::Resource',
  API_METHOD: 'AWS::ApiGateway::Method',
  API_STAGE: 'AWS::ApiGateway::Stage',
  API_DEPLOYMENT: 'AWS::ApiGateway::Deployment',
  GATEWAY_RESPONSE: 'AWS::ApiGateway::GatewayResponse',
  LOG_GROUP: 'AWS::Logs::LogGroup',
} as const;
