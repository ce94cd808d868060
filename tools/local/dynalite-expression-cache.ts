import conditionParser from 'dynalite/db/conditionParser';
import projectionParser from 'dynalite/db/projectionParser';
import updateParser from 'dynalite/db/updateParser';
import { createRequire } from 'node:module';

/**
 * dynalite checks every request's expressions (ConditionExpression, UpdateExpression, KeyConditionExpression,
 * FilterExpression, ProjectionExpression) with PEG parsers that resolve the request's `#names` and `:values` as they
 * go. The runner sends the same few expressions with new values each time: Powertools Idempotency's PutItem condition
 * alone took about 0.26 ms of the DynamoDB emulator's CPU and 0.5 MB of garbage per webhook to parse.
 *
 * So each parser keeps what it made of an expression, for the same text, the same `#names` and the same type of each
 * `:value`, with the values left as holes; a later request gets a fresh copy with its own values in the holes, and the
 * same names struck off its unused lists, as the parser itself would have done. What the parsers read of a value
 * besides its type (BETWEEN's bounds, attribute_type's type name) is not cached: such expressions are parsed every
 * time. Nor is an expression the parser refuses. Requests see the same answers and errors as before.
 */
/** Expressions whose checks read a value's content, not only its type. */
const READS_VALUES = /between|attribute_type/i;
/** Distinct expressions kept per parser; past this, new ones are parsed every time (the runner uses a handful). */
export const EXPRESSIONS_KEPT = 500;
/** The type names the parsers look for in a value, in the order they look (dynalite's getImmediateType). */
const TYPES = ['S', 'N', 'B', 'NULL', 'BOOL', 'SS', 'NS', 'BS', 'L', 'M'] as const;

type Values = Record<string, unknown>;
/** What dynalite's validations pass the parsers (db/*Parser.js read only these). */
export interface ParseContext {
  attrNames?: Record<string, string>;
  attrVals?: Values;
  unusedAttrNames?: Record<string, boolean>;
  unusedAttrVals?: Record<string, boolean>;
  isReserved?: (name: string) => boolean;
  compare?: unknown;
  [other: string]: unknown;
}
export interface ExpressionParser {
  parse(expression: string, options: { context: ParseContext }): unknown;
}

/** A hole where a request's `:value` goes. */
class ValueHole {
  constructor(readonly name: string) {}
}

interface Kept {
  /** The parse with its values as holes; objects it shares keep being shared in each copy. */
  readonly template: unknown;
  /** The `#names` and `:values` the parse struck off the unused lists. */
  readonly usedNames: readonly string[];
  readonly usedValues: readonly string[];
}

const CACHED = Symbol('fluent-webhooks: dynalite expressions parsed once');

/**
 * The dynalite whose parsers this was checked against (which read a value's content, how they strike unused names).
 * Another version is left alone, parsing every time, until someone checks it again and moves this.
 */
export const CHECKED_DYNALITE_VERSION = '4.0.0';

/**
 * Makes each of dynalite's expression parsers (the modules its validations call) keep what it parsed, when the
 * installed dynalite is the one checked.
 */
export function parseDynaliteExpressionsOnce(installedVersion = dynaliteVersion()): void {
  if (installedVersion !== CHECKED_DYNALITE_VERSION) return;
  for (const parser of [conditionParser, updateParser, projectionParser] as Array<
    ExpressionParser & { [CACHED]?: true }
  >) {
    if (parser[CACHED]) continue;
    parser.parse = cachedParse(parser.parse.bind(parser));
    parser[CACHED] = true;
  }
}

/** `parse` that keeps what it made of each expression (see above). */
export function cachedParse(parse: ExpressionParser['parse'], kept = EXPRESSIONS_KEPT): ExpressionParser['parse'] {
  const parsed = new Map<string, Kept>();
  return (expression, options) => {
    const context = options.context;
    const key = cacheKey(expression, context);
    if (key === undefined) return parse(expression, options);
    const hit = parsed.get(key);
    if (hit !== undefined) {
      strike(context, hit.usedNames, hit.usedValues);
      return fill(hit.template, context.attrVals ?? {});
    }
    // Parsed with complete unused lists, so what it strikes off is known whatever earlier expressions struck.
    const unusedAttrNames = allTrue(context.attrNames);
    const unusedAttrVals = allTrue(context.attrVals);
    const valuesBefore = JSON.stringify(context.attrVals);
    const result = parse(expression, { ...options, context: { ...context, unusedAttrNames, unusedAttrVals } });
    const usedNames = Object.keys(context.attrNames ?? {}).filter((name) => !(name in unusedAttrNames));
    const usedValues = Object.keys(context.attrVals ?? {}).filter((name) => !(name in unusedAttrVals));
    strike(context, usedNames, usedValues);
    if (
      typeof result === 'object' &&
      result !== null &&
      parsed.size < kept &&
      valuesBefore === JSON.stringify(context.attrVals)
    ) {
      const template = templateOf(result, context.attrVals ?? {});
      if (template !== undefined) parsed.set(key, { template, usedNames, usedValues });
    }
    return result;
  };
}

/** Undefined when the expression is not cached (see READS_VALUES). */
function cacheKey(expression: string, context: ParseContext): string | undefined {
  if (READS_VALUES.test(expression)) return undefined;
  const flags = Object.entries(context).filter(([, value]) => typeof value !== 'object' && typeof value !== 'function');
  const types = Object.entries(context.attrVals ?? {}).map(([name, value]) => [name, typeOf(value)]);
  return JSON.stringify([expression, context.attrNames ?? null, types, flags]);
}

/** What the parsers learn of a value: dynalite's getType, and whether it is there at all. */
function typeOf(value: unknown): unknown {
  if (!value) return ['absent', value === undefined ? 'undefined' : String(value)];
  if (typeof value !== 'object' || Array.isArray(value)) return null;
  const attrType = (value as { attrType?: unknown }).attrType;
  if (attrType) return ['attrType', attrType];
  return TYPES.find((type) => (value as Values)[type] != null) ?? null;
}

function allTrue(names: Record<string, unknown> | undefined): Record<string, boolean> {
  return Object.fromEntries(Object.keys(names ?? {}).map((name) => [name, true]));
}

function strike(context: ParseContext, names: readonly string[], values: readonly string[]): void {
  if (context.unusedAttrNames) for (const name of names) delete context.unusedAttrNames[name];
  if (context.unusedAttrVals) for (const name of values) delete context.unusedAttrVals[name];
}

/**
 * A copy of `result` with each of the request's value objects as a hole; undefined if it holds anything but plain
 * objects, arrays and primitives (then it is not cached).
 */
function templateOf(result: unknown, values: Values): unknown {
  const holes = new Map<unknown, ValueHole>();
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'object' || value === null) continue;
    if (holes.has(value)) return undefined;
    holes.set(value, new ValueHole(name));
  }
  // Anything inside a value belongs to this request only: a parse that holds a part of a value is not kept.
  const insideValues = new Set<unknown>();
  const collect = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || insideValues.has(node)) return;
    insideValues.add(node);
    for (const key of Object.keys(node)) collect((node as Values)[key]);
  };
  for (const value of holes.keys()) for (const key of Object.keys(value as object)) collect((value as Values)[key]);
  const copies = new Map<object, unknown>();
  let plain = true;
  const copy = (node: unknown): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    const hole = holes.get(node);
    if (hole !== undefined) return hole;
    if (copies.has(node)) return copies.get(node);
    const prototype = Object.getPrototypeOf(node) as unknown;
    if (
      insideValues.has(node) ||
      (prototype !== Object.prototype && prototype !== null && prototype !== Array.prototype)
    )
      plain = false;
    const out = (Array.isArray(node) ? [] : Object.create(prototype as object | null)) as Values;
    copies.set(node, out);
    for (const key of Object.keys(node)) out[key] = copy((node as Values)[key]);
    return out;
  };
  const template = copy(result);
  return plain ? template : undefined;
}

/** A fresh copy of a template with this request's values in its holes. */
function fill(template: unknown, values: Values): unknown {
  const copies = new Map<object, unknown>();
  const copy = (node: unknown): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    if (node instanceof ValueHole) return values[node.name];
    if (copies.has(node)) return copies.get(node);
    const out = (Array.isArray(node) ? [] : Object.create(Object.getPrototypeOf(node) as object | null)) as Values;
    copies.set(node, out);
    for (const key of Object.keys(node)) out[key] = copy((node as Values)[key]);
    return out;
  };
  return copy(template);
}

function dynaliteVersion(): string {
  return (createRequire(__filename)('dynalite/package.json') as { version: string }).version;
}
