import { CfnTemplate, CfnType, property, resourcesOfType } from './cloud-template';
import { NamedPolicy, policyStatements, unsupportedConditions } from './iam-policy-evaluator';
import { referencedLogicalId, resolveLeniently } from './template-resources';

/** The template's IAM: each role's identity policies and each queue's, table's or bucket's resource policy. */
export interface TemplatePolicies {
  identityPolicies(roleLogicalId: string): readonly NamedPolicy[];
  /** A queue's or table's policy by its ARN; a bucket's by the bucket's ARN (`arn:aws:s3:::<name>`). */
  resourcePolicy(resourceArn: string): NamedPolicy | undefined;
  /** Managed policies named by ARN (AWS's own): not in the template, so they grant nothing locally. */
  readonly notEvaluated: readonly { readonly roleLogicalId: string; readonly policyArn: string }[];
}

/**
 * Reads the policies of the template: `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` attached to a role, a role's
 * inline `Policies` and the managed policies of the template it names, `AWS::SQS::QueuePolicy`,
 * `AWS::S3::BucketPolicy` and a table's `ResourcePolicy`. `resolve` resolves references; what it cannot resolve becomes a placeholder that matches no
 * request (a log group's ARN). Throws naming any condition operator the evaluator does not understand.
 */
export function readTemplatePolicies(
  template: CfnTemplate,
  resolve: (value: unknown) => unknown,
  queueArnOf: (queueReference: string) => string | undefined,
): TemplatePolicies {
  const identity = new Map<string, NamedPolicy[]>();
  const attach = (roleLogicalId: string, policy: NamedPolicy): void => {
    identity.set(roleLogicalId, [...(identity.get(roleLogicalId) ?? []), policy]);
  };
  const named = (name: string, document: unknown): NamedPolicy => ({
    name,
    statements: policyStatements(resolveLeniently(document, resolve)),
  });
  const notEvaluated: Array<{ roleLogicalId: string; policyArn: string }> = [];

  for (const type of [CfnType.POLICY, CfnType.MANAGED_POLICY]) {
    for (const { logicalId, resource } of resourcesOfType(template, type)) {
      const policy = named(logicalId, property(resource, 'PolicyDocument'));
      for (const role of (property(resource, 'Roles') ?? []) as unknown[]) {
        const roleId = referencedLogicalId(role);
        if (roleId !== undefined) attach(roleId, policy);
      }
    }
  }
  for (const { logicalId, resource } of resourcesOfType(template, CfnType.ROLE)) {
    for (const inline of (property(resource, 'Policies') ?? []) as Array<{
      PolicyName?: string;
      PolicyDocument?: unknown;
    }>) {
      attach(logicalId, named(`${logicalId} inline policy ${inline.PolicyName ?? ''}`.trim(), inline.PolicyDocument));
    }
    for (const arn of (property(resource, 'ManagedPolicyArns') ?? []) as unknown[]) {
      const managedId = referencedLogicalId(arn);
      if (managedId !== undefined && template.Resources?.[managedId]?.Type === CfnType.MANAGED_POLICY) {
        attach(logicalId, named(managedId, property(template.Resources[managedId], 'PolicyDocument')));
      } else {
        notEvaluated.push({ roleLogicalId: logicalId, policyArn: String(resolveLeniently(arn, resolve)) });
      }
    }
  }

  const resourcePolicies = new Map<string, NamedPolicy>();
  for (const { logicalId, resource } of resourcesOfType(template, CfnType.QUEUE_POLICY)) {
    const policy = named(logicalId, property(resource, 'PolicyDocument'));
    for (const queue of (property(resource, 'Queues') ?? []) as unknown[]) {
      const arn = queueArnOf(String(resolveLeniently(queue, resolve)));
      if (arn !== undefined) resourcePolicies.set(arn, merge(resourcePolicies.get(arn), policy));
    }
  }
  for (const { logicalId, resource } of resourcesOfType(template, CfnType.BUCKET_POLICY)) {
    const arn = `arn:aws:s3:::${String(resolveLeniently(property(resource, 'Bucket'), resolve))}`;
    resourcePolicies.set(arn, merge(resourcePolicies.get(arn), named(logicalId, property(resource, 'PolicyDocument'))));
  }
  for (const { logicalId, resource } of resourcesOfType(template, CfnType.TABLE)) {
    const document = (property(resource, 'ResourcePolicy') as { PolicyDocument?: unknown } | undefined)?.PolicyDocument;
    if (document === undefined) continue;
    const arn = String(resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] }));
    resourcePolicies.set(arn, named(`${logicalId} resource policy`, document));
  }

  const problems = [...[...identity.values()].flat(), ...resourcePolicies.values()].flatMap(unsupportedConditions);
  if (problems.length > 0) {
    throw new Error(
      `The local IAM check does not understand these condition operators, so it cannot judge calls as AWS would: ${[...new Set(problems)].join('; ')}.`,
    );
  }
  return {
    identityPolicies: (roleLogicalId) => identity.get(roleLogicalId) ?? [],
    resourcePolicy: (resourceArn) => resourcePolicies.get(resourceArn),
    notEvaluated,
  };
}

/** Two queue policies on one queue: CloudFormation replaces, but both being in the template is the author's intent. */
function merge(existing: NamedPolicy | undefined, added: NamedPolicy): NamedPolicy {
  if (existing === undefined) return added;
  return { name: `${existing.name}+${added.name}`, statements: [...existing.statements, ...added.statements] };
}
