import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { EntityKind, SeedEntity, StandInStore } from './stand-in-data';
import { STAND_IN_SCHEMA_SDL } from './stand-in-schema';

/** The GraphQL engine, loaded at the first GraphQL request rather than at the runner's start. */
const loadGraphQL = () => import('graphql');

/** Fluent pages connections by 100 unless `first` says otherwise; the stand-in bounds `first` as well. */
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 5000;

export interface GraphQLRequest {
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>> | null;
  readonly operationName?: string | null;
}

interface PageArgs {
  readonly first?: number | null;
  readonly after?: string | null;
}
interface FilterArgs extends PageArgs {
  readonly ref?: readonly string[] | null;
  readonly status?: readonly string[] | null;
  readonly type?: readonly string[] | null;
}
interface AttributeInput {
  readonly name: string;
  readonly type: string;
  readonly value: unknown;
}
interface UpdateInput {
  readonly id?: string;
  readonly ref?: string;
  readonly status?: string | null;
  readonly attributes?: readonly (AttributeInput | null)[] | null;
}

/** Executes GraphQL requests against the stand-in's schema with a real GraphQL engine, reading `store`. */
export class StandInGraphQL {
  private schema?: GraphQLSchema;

  public constructor(private readonly store: StandInStore) {}

  public async execute(request: GraphQLRequest): Promise<ExecutionResult> {
    const { buildSchema, graphql } = await loadGraphQL();
    this.schema ??= buildSchema(STAND_IN_SCHEMA_SDL);
    return graphql({
      schema: this.schema,
      source: request.query,
      variableValues: request.variables ?? undefined,
      operationName: request.operationName ?? undefined,
      rootValue: this.rootValue(),
    });
  }

  private rootValue(): Record<string, (args: never) => unknown> {
    const store = this.store;
    const one = (kind: EntityKind, key: { id?: string; ref?: string }) => this.view(kind, store.find(kind, key));
    return {
      me: () => ({ id: '1', ref: 'local-user', username: 'local-user', type: 'ADMIN' }),
      orderById: ({ id }: { id: string }) => one('orders', { id }),
      order: ({ ref }: { ref: string }) => one('orders', { ref }),
      orders: (args: FilterArgs) => this.listed('orders', args),
      fulfilmentById: ({ id }: { id: string }) => one('fulfilments', { id }),
      fulfilments: (args: FilterArgs) => this.listed('fulfilments', args),
      returnOrder: ({ ref }: { ref: string }) => one('returnOrders', { ref }),
      returnOrders: (args: FilterArgs) => this.listed('returnOrders', args),
      locationById: ({ id }: { id: string }) => one('locations', { id }),
      locationByRef: ({ ref }: { ref: string }) => one('locations', { ref }),
      locations: (args: FilterArgs) => this.listed('locations', args),
      updateOrder: ({ input }: { input: UpdateInput }) => this.updated('orders', { id: input.id }, input),
      updateFulfilment: ({ input }: { input: UpdateInput }) => this.updated('fulfilments', { id: input.id }, input),
      updateReturnOrder: ({ input }: { input: UpdateInput }) => this.updated('returnOrders', { ref: input.ref }, input),
    };
  }

  private listed(kind: EntityKind, args: FilterArgs) {
    const wanted = (values: readonly string[] | null | undefined, value: unknown): boolean =>
      values === null || values === undefined || values.includes(String(value));
    // Asking for refs by name finds (or, with synthesizeMissing, makes up) each one, as a lookup by ref does.
    const candidates = args.ref ? args.ref.map((ref) => this.store.find(kind, { ref })) : this.store.list(kind);
    const matching = candidates.filter(
      (entity): entity is SeedEntity =>
        entity !== undefined && wanted(args.status, entity.status) && wanted(args.type, entity.type),
    );
    return connection(
      matching.map((entity) => this.view(kind, entity)),
      args,
    );
  }

  private updated(kind: EntityKind, key: { id?: string; ref?: string }, input: UpdateInput) {
    const existing = this.store.find(kind, key);
    if (existing === undefined) throw new Error(`No ${kind.replace(/s$/, '')} with ${JSON.stringify(key)}.`);
    const attributes = mergeAttributes(existing.attributes, input.attributes);
    return this.view(kind, this.store.update(kind, key, { status: input.status ?? undefined, attributes }));
  }

  /** The entity as GraphQL resolves it: its fields, with links and child lists as resolver functions. */
  private view(kind: EntityKind, entity: SeedEntity | undefined): Record<string, unknown> | null {
    if (entity === undefined) return null;
    const linked = (target: EntityKind, ref: unknown) => () =>
      typeof ref === 'string' ? this.view(target, this.store.find(target, { ref })) : null;
    const children = (field: string) => (args: PageArgs) =>
      connection(Array.isArray(entity[field]) ? (entity[field] as unknown[]) : [], args);
    if (kind === 'orders') {
      return {
        ...entity,
        items: children('items'),
        fulfilments: (args: PageArgs) =>
          connection(
            this.store
              .list('fulfilments')
              .filter((fulfilment) => fulfilment.orderRef === entity.ref)
              .map((fulfilment) => this.view('fulfilments', fulfilment)),
            args,
          ),
      };
    }
    if (kind === 'fulfilments') {
      return {
        ...entity,
        order: linked('orders', entity.orderRef),
        fromLocation: linked('locations', entity.fromLocationRef),
        items: children('items'),
      };
    }
    if (kind === 'returnOrders') {
      return { ...entity, order: linked('orders', entity.orderRef), returnOrderItems: children('returnOrderItems') };
    }
    return { ...entity };
  }
}

/** A Relay connection over `nodes`: opaque cursors, `first` (default 100, at most 5,000) and `after`. */
function connection(nodes: readonly unknown[], args: PageArgs) {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new Error(`first must be a whole number from 0 to ${MAX_PAGE_SIZE}.`);
  }
  const afterIndex = args.after ? Number(Buffer.from(args.after, 'base64url').toString('utf8')) : -1;
  if (!Number.isInteger(afterIndex)) throw new Error(`after: ${args.after} is not a cursor this API gave out.`);
  const start = afterIndex + 1;
  const page = nodes.slice(start, start + first);
  return {
    edges: page.map((node, offset) => ({ cursor: Buffer.from(String(start + offset)).toString('base64url'), node })),
    pageInfo: { hasNextPage: start + first < nodes.length, hasPreviousPage: start > 0 },
  };
}

/** Fluent's attribute update: an attribute named again replaces the old one, the others stay. */
function mergeAttributes(existing: unknown, changes: UpdateInput['attributes']): unknown {
  if (!changes) return undefined;
  const current = Array.isArray(existing) ? (existing as AttributeInput[]) : [];
  const given = changes.filter((attribute): attribute is AttributeInput => attribute !== null);
  const names = new Set(given.map((attribute) => attribute.name));
  return [...current.filter((attribute) => !names.has(attribute.name)), ...given];
}

/** The first field the request's operation selects (`orders` in `{ orders { … } }`), for log lines and faults. */
export async function firstFieldOf(query: string): Promise<string> {
  const { Kind, parse } = await loadGraphQL();
  try {
    const operation = parse(query).definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    const selection = operation?.selectionSet.selections[0];
    return selection?.kind === Kind.FIELD ? selection.name.value : 'result';
  } catch {
    return 'result';
  }
}
