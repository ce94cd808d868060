import { CfnTemplate, CfnType, property, resourcesOfType } from './cloud-template';
import { referencedLogicalId } from './template-resources';
import type { GatewayResponses } from '../gateway-server';
import { renderMappingTemplate } from '../vtl/render-mapping-template';

/** A method of the API: its HTTP method, the path of its resource (`/<secret>/fluent/{route+}`) and its integration. */
export interface TemplateMethod {
  readonly logicalId: string;
  readonly httpMethod: string;
  readonly resourcePath: string;
  readonly integration: Readonly<Record<string, unknown>>;
}

export interface TemplateApi {
  readonly logicalId: string;
  readonly stageName: string;
  readonly methods: readonly TemplateMethod[];
  readonly gatewayResponses: GatewayResponses;
}

/**
 * Reads the REST API of the template: its resources (path parts under their parents), methods, stage and gateway
 * responses. Undefined when the template has no REST API; throws when it has several (not supported locally).
 */
export function readTemplateApi(template: CfnTemplate): TemplateApi | undefined {
  const apis = resourcesOfType(template, CfnType.REST_API);
  if (apis.length === 0) return undefined;
  if (apis.length > 1) {
    throw new Error(
      `The template has ${apis.length} REST APIs (${apis.map((api) => api.logicalId).join(', ')}); the local gateway serves one.`,
    );
  }
  const apiId = apis[0]!.logicalId;
  const ofApi = (type: string) =>
    resourcesOfType(template, type).filter(
      ({ resource }) => referencedLogicalId(property(resource, 'RestApiId')) === apiId,
    );

  const resources = new Map(ofApi(CfnType.API_RESOURCE).map(({ logicalId, resource }) => [logicalId, resource]));
  const pathOf = (logicalId: string | undefined, seen = 0): string => {
    const resource = logicalId === undefined ? undefined : resources.get(logicalId);
    if (resource === undefined || seen > resources.size) return '';
    return `${pathOf(referencedLogicalId(property(resource, 'ParentId')), seen + 1)}/${String(property(resource, 'PathPart'))}`;
  };
  const methods = ofApi(CfnType.API_METHOD).map(({ logicalId, resource }) => ({
    logicalId,
    httpMethod: String(property(resource, 'HttpMethod')),
    resourcePath: pathOf(referencedLogicalId(property(resource, 'ResourceId'))) || '/',
    integration: (property(resource, 'Integration') ?? {}) as Record<string, unknown>,
  }));

  const stage =
    ofApi(CfnType.API_STAGE)[0]?.resource ??
    ofApi(CfnType.API_DEPLOYMENT).find(({ resource }) => property(resource, 'StageName'))?.resource;
  const stageName = stage === undefined ? undefined : property(stage, 'StageName');
  if (typeof stageName !== 'string')
    throw new Error(`The REST API ${apiId} has no stage with a StageName in the template.`);

  const responses = new Map(
    ofApi(CfnType.GATEWAY_RESPONSE).map(({ resource }) => [String(property(resource, 'ResponseType')), resource]),
  );
  const gatewayResponses: GatewayResponses = (answer, requestId) => {
    const custom = responses.get(answer.type) ?? responses.get(answer.statusCode < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX');
    if (custom === undefined)
      return { statusCode: answer.statusCode, body: JSON.stringify({ message: answer.message }) };
    const status = property(custom, 'StatusCode');
    const template = (property(custom, 'ResponseTemplates') as Record<string, string> | undefined)?.[
      'application/json'
    ];
    const body =
      template === undefined
        ? JSON.stringify({ message: answer.message })
        : renderMappingTemplate(template, {
            body: '',
            context: {
              requestId,
              error: {
                message: answer.message,
                messageString: JSON.stringify(answer.message),
                responseType: answer.type,
              },
            },
          }).output;
    return { statusCode: status === undefined ? answer.statusCode : Number(status), body };
  };

  return { logicalId: apiId, stageName, methods, gatewayResponses };
}

/** How a request path matched a resource path: the value of its greedy parameter (`{route+}`), if it has one. */
export interface ResourcePathMatch {
  readonly route: string;
}

/**
 * Matches a decoded request path against a resource path as API Gateway does: literal parts exactly (case
 * sensitive), `{name}` one non-empty segment, a final `{name+}` one or more.
 */
export function matchResourcePath(resourcePath: string, requestPath: string): ResourcePathMatch | undefined {
  const wanted = resourcePath.split('/').filter((part) => part !== '');
  const given = requestPath.split('/').slice(1);
  let route = '';
  for (const [index, part] of wanted.entries()) {
    if (/^\{.+\+\}$/.test(part)) {
      const rest = given.slice(index);
      if (rest.length === 0 || rest.some((segment) => segment === '')) return undefined;
      route = rest.join('/');
      return { route };
    }
    const segment = given[index];
    if (segment === undefined || segment === '') return undefined;
    if (!/^\{.+\}$/.test(part) && part !== segment) return undefined;
  }
  return given.length === wanted.length ? { route } : undefined;
}
