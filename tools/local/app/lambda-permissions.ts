import { CfnTemplate, CfnType, property, resourcesOfType } from './cloud-template';
import { wildcardMatches } from './iam-policy-evaluator';
import type { FunctionSpec } from './lambda-process';
import { resolveLeniently } from './template-resources';

const API_GATEWAY_PRINCIPAL = 'apigateway.amazonaws.com';

/**
 * Whether the function's resource policy (its `AWS::Lambda::Permission` resources) lets API Gateway invoke it for
 * a request whose execute-api ARN is `sourceArn` (`arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`).
 */
export function apiInvokePermitted(
  template: CfnTemplate,
  resolve: (value: unknown) => unknown,
  fn: FunctionSpec,
  sourceArn: string,
  accountId: string,
): boolean {
  return resourcesOfType(template, CfnType.PERMISSION).some(({ resource }) => {
    const value = (name: string): string | undefined => {
      const raw = property(resource, name);
      return raw === undefined ? undefined : String(resolveLeniently(raw, resolve));
    };
    const functionName = value('FunctionName');
    const action = value('Action');
    const principal = value('Principal');
    const permittedArn = value('SourceArn');
    const sourceAccount = value('SourceAccount');
    return (
      (functionName === fn.functionName ||
        functionName === fn.functionArn ||
        functionName?.startsWith(`${fn.functionArn}:`) === true) &&
      (action === 'lambda:InvokeFunction' || action === 'lambda:*') &&
      (principal === API_GATEWAY_PRINCIPAL || principal === '*') &&
      (permittedArn === undefined || wildcardMatches(permittedArn, sourceArn)) &&
      (sourceAccount === undefined || sourceAccount === accountId)
    );
  });
}
