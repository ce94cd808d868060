import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Where the web ACL goes and what it lets through. */
export interface WebhookFirewallProps {
  /** The stage the web ACL guards. */
  readonly stage: apigateway.Stage;
  /** The only path prefixes let through, `/<stage>/<secret>/fluent/` for each live secret (they hold the secrets). */
  readonly pathPrefixes: readonly string[];
  /** Requests per source IP per 5 minutes before that IP is blocked. */
  readonly rateLimit: number;
}

/** Evaluation window of the rate rule; WAF allows 60 to 600 s. */
const RATE_WINDOW_SECONDS = 300;

/**
 * A regional AWS WAF web ACL on the stage: blocks any source IP over the rate limit (counting only requests under a
 * secret path), admits POSTs under a secret path prefix (one per live secret), and blocks everything else before API Gateway sees it (the layer-7 rule Fluent
 * suggests). Sampled requests stay off, since a sample would show the secret path and the signature headers.
 */
export class WebhookFirewall extends Construct {
  /** The web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** Its association with the stage. */
  public readonly association: wafv2.CfnWebACLAssociation;

  public constructor(scope: Construct, id: string, props: WebhookFirewallProps) {
    super(scope, id);
    const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: `FluentWebhooks${name}`,
      sampledRequestsEnabled: false,
    });

    const secretPath = anyOf(props.pathPrefixes.map((prefix) => byteMatch({ uriPath: {} }, 'STARTS_WITH', prefix)));
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: 'Admits only POSTs to the secret Fluent webhook paths, rate-limited per source IP.',
      defaultAction: { block: {} },
      visibilityConfig: visibility('WebAcl'),
      rules: [
        {
          name: 'RateLimitPerSourceIp',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: props.rateLimit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: RATE_WINDOW_SECONDS,
              // Only requests that carry a live secret path count. Fluent sends every tenant's webhooks from a few
              // shared addresses: counting all requests would let another tenant, pointing webhooks at this host
              // without the secret, use up the allowance of Fluent's address and get our genuine webhooks blocked.
              // Requests without the secret are blocked by the default action anyway.
              scopeDownStatement: secretPath,
            },
          },
          visibilityConfig: visibility('RateLimitPerSourceIp'),
        },
        {
          name: 'AllowSecretWebhookPath',
          priority: 1,
          action: { allow: {} },
          statement: {
            andStatement: {
              statements: [secretPath, byteMatch({ method: {} }, 'EXACTLY', 'POST')],
            },
          },
          visibilityConfig: visibility('AllowSecretWebhookPath'),
        },
      ],
    });

    this.association = new wafv2.CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}

/** WAF's OR statement needs at least two statements; one stands for itself. */
function anyOf(statements: wafv2.CfnWebACL.StatementProperty[]): wafv2.CfnWebACL.StatementProperty {
  return statements.length === 1
    ? (statements[0] as wafv2.CfnWebACL.StatementProperty)
    : { orStatement: { statements } };
}

function byteMatch(
  fieldToMatch: wafv2.CfnWebACL.FieldToMatchProperty,
  positionalConstraint: string,
  searchString: string,
): wafv2.CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch,
      positionalConstraint,
      searchString,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}
