import { createHash } from 'node:crypto';

/** One Fluent entity as seeded: the schema's scalar fields by name, lists of child items as arrays. */
export type SeedEntity = { readonly id?: string; readonly ref?: string } & Readonly<Record<string, unknown>>;

/**
 * The data the stand-in's GraphQL answers from, in the form a seed file (FLUENT_STAND_IN_DATA) or
 * `POST /_stand-in/graphql-data` gives it. Entities link by ref: a fulfilment's `orderRef` and `fromLocationRef`,
 * a return order's `orderRef`. Child items are arrays (`items`, `returnOrderItems`) and come back as connections.
 */
export interface StandInData {
  readonly orders?: readonly SeedEntity[];
  readonly fulfilments?: readonly SeedEntity[];
  readonly returnOrders?: readonly SeedEntity[];
  readonly locations?: readonly SeedEntity[];
  /**
   * Whether a lookup by ref or id of an entity nobody seeded answers a made-up entity with that ref (status
   * `CREATED`), so a handler's query for the entity in any sample event gets data of the right shape.
   * `false` answers `null`, as Fluent does for an entity it does not have.
   * @default true
   */
  readonly synthesizeMissing?: boolean;
}

export const ENTITY_KINDS = ['orders', 'fulfilments', 'returnOrders', 'locations'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

const MAX_ENTITIES_PER_KIND = 10_000;

/** The made-up entity for a ref (or id) nobody seeded; the same ref always gives the same entity. */
function synthesized(kind: EntityKind, key: { id?: string; ref?: string }): SeedEntity {
  const seed = key.ref ?? key.id ?? '';
  const id = key.id ?? String(parseInt(createHash('sha256').update(`${kind}:${seed}`).digest('hex').slice(0, 8), 16));
  const ref = key.ref ?? `${kind.replace(/s$/, '').toUpperCase()}_${id}`;
  const base = { id, ref, status: 'CREATED', attributes: [], createdOn: '2026-01-01T00:00:00.000Z' };
  if (kind === 'orders') return { ...base, type: 'HD', retailer: { id: '1' }, items: [] };
  if (kind === 'fulfilments') return { ...base, type: 'HD_WH', deliveryType: 'STANDARD', items: [] };
  if (kind === 'returnOrders') return { ...base, type: 'DEFAULT', retailer: { id: '1' }, returnOrderItems: [] };
  return { ...base, status: 'ACTIVE', type: 'WAREHOUSE', name: ref };
}

/** The stand-in's entities, looked up by id or ref, upserted by seeds and mutations. */
export class StandInStore {
  private readonly entities: Record<EntityKind, SeedEntity[]> = {
    orders: [],
    fulfilments: [],
    returnOrders: [],
    locations: [],
  };
  private synthesizeMissing = true;

  public constructor(initial: StandInData = {}) {
    this.seed(initial);
  }

  /** Adds or replaces (by id, else by ref) every entity in `data`. */
  public seed(data: StandInData): void {
    if (data.synthesizeMissing !== undefined) this.synthesizeMissing = data.synthesizeMissing;
    for (const kind of ENTITY_KINDS) for (const entity of data[kind] ?? []) this.put(kind, entity);
  }

  /** Forgets every entity (the synthesizeMissing setting stays). */
  public clear(): void {
    for (const kind of ENTITY_KINDS) this.entities[kind].length = 0;
  }

  public snapshot(): Required<StandInData> {
    return {
      orders: [...this.entities.orders],
      fulfilments: [...this.entities.fulfilments],
      returnOrders: [...this.entities.returnOrders],
      locations: [...this.entities.locations],
      synthesizeMissing: this.synthesizeMissing,
    };
  }

  public list(kind: EntityKind): readonly SeedEntity[] {
    return this.entities[kind];
  }

  /** The entity with this id or ref; made up (and kept) when nobody seeded it and synthesizeMissing is on. */
  public find(kind: EntityKind, key: { id?: string; ref?: string }): SeedEntity | undefined {
    const found = this.entities[kind].find(
      (entity) => (key.id !== undefined && entity.id === key.id) || (key.ref !== undefined && entity.ref === key.ref),
    );
    if (found !== undefined || !this.synthesizeMissing) return found;
    return this.put(kind, synthesized(kind, key));
  }

  /** Merges `changes` into the entity (by id or ref) and returns it, or undefined when there is none. */
  public update(kind: EntityKind, key: { id?: string; ref?: string }, changes: Record<string, unknown>) {
    const entity = this.find(kind, key);
    if (entity === undefined) return undefined;
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    return this.put(kind, { ...entity, ...defined, updatedOn: new Date().toISOString() });
  }

  private put(kind: EntityKind, entity: SeedEntity): SeedEntity {
    const list = this.entities[kind];
    const withKeys = { ...entity, id: entity.id ?? synthesized(kind, { ref: entity.ref }).id };
    const index = list.findIndex((known) => known.id === withKeys.id || (entity.ref && known.ref === entity.ref));
    if (index >= 0) list[index] = withKeys;
    else if (list.length < MAX_ENTITIES_PER_KIND) list.push(withKeys);
    else throw new Error(`the stand-in keeps at most ${MAX_ENTITIES_PER_KIND} ${kind}; clear some first.`);
    return withKeys;
  }
}

/**
 * Checks the shape of seed data (a file's content or a control request's body), throwing one message that names
 * the first thing to fix. Field values are checked by GraphQL when a query reads them.
 */
export function parseStandInData(value: unknown): StandInData {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`the data must be a JSON object with any of ${ENTITY_KINDS.join(', ')} (arrays of entities).`);
  }
  const record = value as Record<string, unknown>;
  const known = [...ENTITY_KINDS, 'synthesizeMissing'] as readonly string[];
  const unknown = Object.keys(record).find((key) => !known.includes(key));
  if (unknown !== undefined) throw new Error(`unknown key "${unknown}"; use ${known.join(', ')}.`);
  if (record.synthesizeMissing !== undefined && typeof record.synthesizeMissing !== 'boolean') {
    throw new Error('synthesizeMissing must be true or false.');
  }
  for (const kind of ENTITY_KINDS) {
    const list = record[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new Error(`${kind} must be an array of entities.`);
    if (list.length > MAX_ENTITIES_PER_KIND) throw new Error(`${kind}: at most ${MAX_ENTITIES_PER_KIND} entities.`);
    list.forEach((entity: unknown, index) => {
      const fields = (typeof entity === 'object' && entity !== null ? entity : {}) as Record<string, unknown>;
      if (typeof fields.ref !== 'string' || fields.ref === '') {
        throw new Error(`${kind}[${index}] needs a "ref" (a non-empty string).`);
      }
      if (fields.id !== undefined && typeof fields.id !== 'string') {
        throw new Error(`${kind}[${index}].id must be a string (Fluent's ids are strings in JSON).`);
      }
    });
  }
  return record as StandInData;
}
