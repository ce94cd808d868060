/** What the runner made of one template resource: its `Ref` value and the `Fn::GetAtt` attributes it can answer. */
export interface ResolvedResource {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** What references resolve to: the pseudo parameters, parameters with defaults, and the resources the runner created. */
export interface ResolveContext {
  /** `AWS::Region`, `AWS::AccountId`, ... */
  readonly pseudoParameters: Readonly<Record<string, string>>;
  readonly parameters: Readonly<Record<string, string>>;
  readonly resources: ReadonlyMap<string, ResolvedResource>;
}

/** A reference the runner cannot answer: to a resource it does not create, an attribute it does not know, a function it does not evaluate. */
export class UnresolvableReference extends Error {
  constructor(readonly reference: string) {
    super(`cannot resolve ${reference}`);
    this.name = 'UnresolvableReference';
  }
}

/** `Ref: AWS::NoValue`: the property is removed. */
const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves CloudFormation intrinsic functions in `value` (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split)
 * against `context`. Anything else throws {@link UnresolvableReference} naming it, so a start never runs with a
 * value that is not the one AWS would use.
 */
export function resolveValue(value: unknown, context: ResolveContext): unknown {
  const resolved = resolveAny(value, context);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** {@link resolveValue} for a value that must be a string. */
export function resolveString(value: unknown, context: ResolveContext): string {
  const resolved = resolveValue(value, context);
  if (typeof resolved === 'string') return resolved;
  if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
  throw new UnresolvableReference(`a string, found ${JSON.stringify(value)}`);
}

function resolveAny(value: unknown, context: ResolveContext): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolveAny(item, context)).filter((item) => item !== NO_VALUE);
  }
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [name, argument] = entries[0] ?? [];
  if (entries.length === 1 && name !== undefined && (name === 'Ref' || name.startsWith('Fn::'))) {
    return intrinsic(name, argument, context);
  }
  const result: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const resolved = resolveAny(item, context);
    if (resolved !== NO_VALUE) result[key] = resolved;
  }
  return result;
}

function intrinsic(name: string, argument: unknown, context: ResolveContext): unknown {
  switch (name) {
    case 'Ref':
      return ref(String(argument), context);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(argument)
        ? (argument as string[])
        : String(argument).split(/\.(.*)/s);
      return getAtt(String(logicalId), String(attribute), context);
    }
    case 'Fn::Join': {
      const [separator, parts] = argument as [string, unknown];
      const list = resolveAny(parts, context);
      if (!Array.isArray(list)) throw new UnresolvableReference(`Fn::Join of ${JSON.stringify(parts)}`);
      return list.map((part) => scalar(part, 'Fn::Join')).join(separator);
    }
    case 'Fn::Sub':
      return substitute(argument, context);
    case 'Fn::Select': {
      const [index, list] = argument as [unknown, unknown];
      const items = resolveAny(list, context);
      const item = Array.isArray(items) ? items[Number(resolveAny(index, context))] : undefined;
      if (item === undefined) throw new UnresolvableReference(`Fn::Select ${JSON.stringify(argument)}`);
      return item;
    }
    case 'Fn::Split': {
      const [separator, source] = argument as [string, unknown];
      return scalar(resolveAny(source, context), 'Fn::Split').split(separator);
    }
    default:
      throw new UnresolvableReference(`${name} (the runner does not evaluate it)`);
  }
}

function ref(name: string, context: ResolveContext): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  const pseudo = context.pseudoParameters[name] ?? context.parameters[name];
  if (pseudo !== undefined) return pseudo;
  const resource = context.resources.get(name);
  if (resource === undefined) throw new UnresolvableReference(`Ref ${name}`);
  return resource.ref;
}

function getAtt(logicalId: string, attribute: string, context: ResolveContext): string {
  const value = context.resources.get(logicalId)?.attributes[attribute];
  if (value === undefined) throw new UnresolvableReference(`Fn::GetAtt ${logicalId}.${attribute}`);
  return value;
}

/** `Fn::Sub`: `${Name}`, `${Logical.Attribute}` and `${!Literal}`, with optional variables. */
function substitute(argument: unknown, context: ResolveContext): string {
  const [text, variables] = Array.isArray(argument)
    ? [String(argument[0]), (argument[1] ?? {}) as Record<string, unknown>]
    : [String(argument), {}];
  return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in variables) return scalar(resolveAny(variables[name], context), 'Fn::Sub');
    const dot = name.indexOf('.');
    return dot < 0
      ? scalar(ref(name, context), 'Fn::Sub')
      : getAtt(name.slice(0, dot), name.slice(dot + 1), context) || whole;
  });
}

function scalar(value: unknown, where: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UnresolvableReference(`${where} of a value that is not a string: ${JSON.stringify(value)}`);
}
