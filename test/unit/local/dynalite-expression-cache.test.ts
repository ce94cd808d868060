import conditionParser from 'dynalite/db/conditionParser';
import projectionParser from 'dynalite/db/projectionParser';
import updateParser from 'dynalite/db/updateParser';
import {
  cachedParse,
  CHECKED_DYNALITE_VERSION,
  parseDynaliteExpressionsOnce,
} from '../../../tools/local/dynalite-expression-cache';

// dynalite's own check of a request's expressions: it calls the parsers and keeps what they make on the request.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { validateExpressions } = require('dynalite/validations') as {
  validateExpressions(data: Record<string, unknown>): string | undefined;
};

type Request = Record<string, unknown>;
const PARSERS = [conditionParser, updateParser, projectionParser];
const UNCACHED = PARSERS.map((parser) => parser.parse);

/** What dynalite makes of a request: its error, and the parsed expressions it keeps on the request. */
function checked(request: Request): Request {
  const data = structuredClone(request);
  const message = validateExpressions(data);
  return { message, ...Object.fromEntries(Object.entries(data).filter(([key]) => key.startsWith('_'))), data };
}

/** Runs `requests` through dynalite's parsers as they are and through cached ones (each request twice: miss, hit). */
function bothWays(requests: Request[]): { plain: Request[]; cached: Request[] } {
  const plain = requests.flatMap((request) => [checked(request), checked(request)]);
  PARSERS.forEach((parser, index) => (parser.parse = cachedParse(UNCACHED[index]!)));
  try {
    const cached = requests.flatMap((request) => [checked(request), checked(request)]);
    return { plain, cached };
  } finally {
    PARSERS.forEach((parser, index) => (parser.parse = UNCACHED[index]!));
  }
}

const withoutData = ({ data: _data, ...rest }: Request) => rest;

/** A condition on attribute `a` (named `#a`) with these values. */
const onA = (ConditionExpression: string, values: Record<string, unknown>): Request => ({
  ConditionExpression,
  ExpressionAttributeNames: { '#a': 'a' },
  ExpressionAttributeValues: values,
});

/** Powertools Idempotency's PutItem: the same condition every time, new times. */
const idempotencyPut = (now: number): Request => ({
  ExpressionAttributeNames: {
    '#id': 'id',
    '#expiry': 'expiration',
    '#in_progress_expiry': 'in_progress_expiration',
    '#status': 'status',
  },
  ExpressionAttributeValues: {
    ':now': { N: String(now / 1000) },
    ':now_in_millis': { N: String(now) },
    ':inprogress': { S: 'INPROGRESS' },
  },
  ConditionExpression:
    'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
});

/** Powertools Idempotency's UpdateItem of a completed record (the same expression every time, new values). */
const completedUpdate = (expiry: string, responseData: string): Request => ({
  UpdateExpression: 'SET #expiry = :expiry, #status = :status, #response_data = :response_data',
  ExpressionAttributeNames: { '#expiry': 'expiration', '#status': 'status', '#response_data': 'data' },
  ExpressionAttributeValues: {
    ':expiry': { N: expiry },
    ':status': { S: 'COMPLETED' },
    ':response_data': { S: responseData },
  },
});

describe('cachedParse (dynalite expressions)', () => {
  it('gives what dynalite gives for the same expression with other values, holding each request its own values', () => {
    const requests = [
      idempotencyPut(1_765_000_000_123),
      idempotencyPut(1_765_000_001_456),
      completedUpdate('1', '{}'),
      completedUpdate('2', '[]'),
      {
        // A query's three expressions share the names and values they strike off as used.
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        FilterExpression: '#outcome IN (:a, :b)',
        ProjectionExpression: '#pk, #sk, #outcome',
        ExpressionAttributeNames: { '#pk': 'day', '#sk': 'entityTime', '#outcome': 'outcome' },
        ExpressionAttributeValues: {
          ':pk': { S: '2026-12-07#3' },
          ':prefix': { S: 'HD_1#' },
          ':a': { S: 'failed' },
          ':b': { S: 'processed' },
        },
      },
    ];

    const { plain, cached } = bothWays(requests);

    expect(cached.map(withoutData)).toStrictEqual(plain.map(withoutData));
    expect(cached.map((result) => result.message)).toEqual(requests.flatMap(() => [undefined, undefined]));
    // The values in the parsed condition are the request's own objects, not the first request's.
    const secondPut = cached[2]!.data as Request & { _condition: { expression: unknown } };
    const values = secondPut.ExpressionAttributeValues as Record<string, unknown>;
    expect(JSON.stringify(secondPut._condition.expression)).toContain('1765000001.456');
    expect(valuesIn(secondPut._condition.expression)).toEqual(
      expect.arrayContaining([values[':now'], values[':now_in_millis'], values[':inprogress']]),
    );
  });

  it('refuses what dynalite refuses, with the same message, on the first request and on a repeat', () => {
    const requests = [
      // A value the expression does not use.
      {
        ...idempotencyPut(1),
        ExpressionAttributeValues: { ...(idempotencyPut(1).ExpressionAttributeValues as object), ':extra': { S: 'x' } },
      },
      // A name the request does not define.
      { ConditionExpression: 'attribute_exists(#missing)', ExpressionAttributeNames: { '#id': 'id' } },
      // A reserved word.
      { ProjectionExpression: 'name, id' },
      // The same expression, valid for a string and refused for a number: the type of a value is part of the key.
      onA('size(#a) > :n AND begins_with(#a, :v)', { ':n': { N: '1' }, ':v': { S: 'x' } }),
      onA('size(#a) > :n AND begins_with(#a, :v)', { ':n': { N: '1' }, ':v': { N: '2' } }),
      // Checks that read a value's content, never cached.
      onA('#a BETWEEN :lo AND :hi', { ':lo': { N: '1' }, ':hi': { N: '2' } }),
      onA('#a BETWEEN :lo AND :hi', { ':lo': { N: '3' }, ':hi': { N: '2' } }),
      onA('attribute_type(#a, :t)', { ':t': { S: 'S' } }),
      onA('attribute_type(#a, :t)', { ':t': { S: 'XX' } }),
      // Not an expression at all.
      { ConditionExpression: 'attribute_not_exists(#id) OR', ExpressionAttributeNames: { '#id': 'id' } },
    ];

    const { plain, cached } = bothWays(requests);

    expect(cached.map(withoutData)).toStrictEqual(plain.map(withoutData));
    expect(plain.map((result) => result.message !== undefined)).toEqual(
      [true, true, true, false, true, false, true, false, true, true].flatMap((refused) => [refused, refused]),
    );
  });

  it('gives each request a copy of its own: changing one parse changes no later one', () => {
    const parse = cachedParse(conditionParser.parse);
    const context = () => ({
      attrNames: { '#id': 'id' },
      attrVals: { ':v': { S: 'a' } },
      unusedAttrNames: { '#id': true },
      unusedAttrVals: { ':v': true },
      isReserved: () => false,
    });
    const first = parse('#id = :v', { context: context() }) as { expression: { args: unknown[] } };
    first.expression.args.length = 0;

    const secondContext = context();
    const second = parse('#id = :v', { context: secondContext }) as { expression: { args: unknown[] } };

    expect(second.expression.args).toEqual([['id'], { S: 'a' }]);
    expect(second.expression.args[1]).toBe(secondContext.attrVals[':v']);
    expect(secondContext.unusedAttrNames).toEqual({});
    expect(secondContext.unusedAttrVals).toEqual({});
  });

  it('is installed on dynalite once however many emulators start', () => {
    const before = PARSERS.map((parser) => parser.parse);
    parseDynaliteExpressionsOnce();
    const installed = PARSERS.map((parser) => parser.parse);
    parseDynaliteExpressionsOnce();

    expect(installed.every((parse, index) => parse !== before[index])).toBe(true);
    expect(PARSERS.map((parser) => parser.parse)).toEqual(installed);
    PARSERS.forEach((parser, index) => (parser.parse = before[index]!));
  });

  it('leaves a dynalite other than the one it was checked against parsing every time', () => {
    // Fresh modules: the parsers above carry the mark of an earlier install, which would skip them whatever the version.
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const parsers = [
        require('dynalite/db/conditionParser'),
        require('dynalite/db/updateParser'),
        require('dynalite/db/projectionParser'),
      ] as Array<{ parse: unknown }>;
      const { parseDynaliteExpressionsOnce: install } =
        require('../../../tools/local/dynalite-expression-cache') as typeof import('../../../tools/local/dynalite-expression-cache');
      /* eslint-enable @typescript-eslint/no-require-imports */
      const before = parsers.map((parser) => parser.parse);
      install('4.0.1');
      expect(parsers.map((parser) => parser.parse)).toEqual(before);
      install(CHECKED_DYNALITE_VERSION);
      expect(parsers.every((parser, index) => parser.parse !== before[index])).toBe(true);
    });
  });

  it('was checked against the dynalite installed (an upgrade must check the parsers again, then move the version)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect((require('dynalite/package.json') as { version: string }).version).toBe(CHECKED_DYNALITE_VERSION);
  });
});

/** Every object in a parse that is one of DynamoDB's typed values ({ S: ... }, { N: ... }). */
function valuesIn(node: unknown): unknown[] {
  if (typeof node !== 'object' || node === null) return [];
  if (!Array.isArray(node) && ('S' in node || 'N' in node)) return [node];
  return Object.values(node).flatMap(valuesIn);
}
