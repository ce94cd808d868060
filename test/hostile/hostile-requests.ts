import { sign as cryptoSign } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc, { Arbitrary } from 'fast-check';
import { FLEX_SIGNATURE_HEADER, FLUENT_SIGNATURE_HEADER, SignatureAlgorithmName } from '../../lambdas/core';
import type { TestKeyPair } from '../support/test-keys';
import { gatewayEvent } from '../support/gateway-event';

/** The account the receiver under test serves; the allow-list compares it case-insensitively. */
export const SERVED_ACCOUNT = 'ACME';

/** The keys a generated request can be signed with: the one the receiver trusts, and one it has never seen. */
export interface SigningKeys {
  readonly fluent: TestKeyPair;
  readonly stranger: TestKeyPair;
}

/** How one signature value is made; resolved against the body's bytes once the body is known. */
export type SignatureSpec =
  | { readonly kind: 'valid'; readonly algorithm: SignatureAlgorithmName; readonly key: keyof SigningKeys }
  | { readonly kind: 'over-other-bytes'; readonly algorithm: SignatureAlgorithmName; readonly mutation: BodyMutation }
  | {
      readonly kind: 'mangled';
      readonly algorithm: SignatureAlgorithmName;
      readonly mangle: Mangle;
      readonly at: number;
    }
  | { readonly kind: 'garbage-base64'; readonly bytes: Uint8Array }
  | { readonly kind: 'text'; readonly text: string };

/** A change to the signed bytes, so that a genuine signature covers something other than the body sent. */
export type BodyMutation =
  | { readonly kind: 'flip'; readonly at: number; readonly mask: number }
  | { readonly kind: 'append'; readonly bytes: Uint8Array }
  | { readonly kind: 'truncate'; readonly keep: number }
  | { readonly kind: 'reserialise' };

/** Ways a genuine base64 signature gets damaged on the way (by proxies, copy-paste, attackers). */
type Mangle =
  'no-padding' | 'base64url' | 'inner-space' | 'flip-char' | 'doubled' | 'quoted' | 'surrounding-space' | 'upper-cased';

/** One signature header as sent: its name in some casing, its values, and where API Gateway puts it. */
export interface HeaderEntry {
  readonly name: string;
  readonly values: readonly SignatureSpec[];
  /** `single`: one comma-joined header; `repeated`: the header sent once per value (API Gateway keeps the last in `headers`). */
  readonly form: 'single' | 'repeated';
  /** Which of the event's two header maps carry it. API Gateway fills both; a hostile event need not. */
  readonly maps: 'both' | 'headers' | 'multiValueHeaders';
}

/** How the body bytes travel in the proxy event. */
export type Transport =
  | { readonly kind: 'base64' }
  | {
      readonly kind: 'base64-damaged';
      readonly damage: 'no-padding' | 'junk-characters' | 'whitespace' | 'base64url';
      readonly at: number;
    }
  | { readonly kind: 'text'; readonly encoding: 'utf8' | 'latin1' };

export interface HostileCase {
  readonly event: APIGatewayProxyEvent;
  /** Built to be accepted: a genuine SHA-512 (or, with no fluent-signature, MD5) signature over the exact bytes of an event for the served account. */
  readonly mustAccept: boolean;
  /** The signature values the request carried, to check none of them reaches a log line. */
  readonly signatureValues: readonly string[];
  /** The body bytes as generated (before transport). */
  readonly body: Buffer;
}

export interface CaseParts {
  readonly body: Buffer;
  readonly bodyIsServedEvent: boolean;
  readonly entries: readonly HeaderEntry[];
  readonly otherHeaders: Readonly<Record<string, string>>;
  readonly transport: Transport;
  readonly route: string | null;
}

// --- bodies ---

const eventIds = fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 }), fc.integer());
const accountIds = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(SERVED_ACCOUNT, SERVED_ACCOUNT.toLowerCase()) },
  { weight: 2, arbitrary: fc.constantFrom('OTHER', 'ACME ', '', 'ACMEX') },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.integer(),
      fc.constant(null),
      fc.constant(undefined),
      fc.array(fc.string(), { maxLength: 2 }),
    ),
  },
);

/** A Fluent-looking event, with text fields that stress encodings (escapes, emoji, U+FFFF, control characters). */
export const eventBodies: Arbitrary<{ body: Buffer; served: boolean }> = fc
  .record({
    id: eventIds,
    accountId: accountIds,
    note: fc.string({ unit: 'binary', maxLength: 64 }),
    spacing: fc.constantFrom('', ' ', '\n', '\t  '),
    extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  })
  .map(({ id, accountId, note, spacing, extra }) => {
    const event = {
      ...extra,
      id,
      name: 'OrderStatusChange',
      accountId,
      retailerId: '1',
      entityId: '123',
      entityRef: 'HD_123',
      entityType: 'ORDER',
      attributes: { note },
    };
    const text = JSON.stringify(event, null, spacing === '' ? undefined : spacing);
    // Served: an allowed account (ASCII letters in any case) and an id the consumer can key on (not blank).
    const served =
      typeof accountId === 'string' &&
      accountId.replace(/[a-z]/g, (letter) => letter.toUpperCase()) === SERVED_ACCOUNT &&
      (typeof id === 'number' || id.trim().length > 0);
    return { body: Buffer.from(text, 'utf8'), served };
  });

const INVALID_UTF8_SEQUENCES = [
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xff],
  [0xe2, 0x82],
  [0xf4, 0x90, 0x80, 0x80],
  [0x80],
];

/** Bodies no decoder should trust: random bytes, invalid UTF-8 inside JSON, non-objects, deep nesting, byte-order marks. */
export const brokenBodies: Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 256 }).map((text) => Buffer.from(text, 'utf8')) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(eventBodies, fc.nat(), fc.constantFrom(...INVALID_UTF8_SEQUENCES))
      .map(([{ body }, at, sequence]) => {
        const cut = at % (body.length + 1);
        return Buffer.concat([body.subarray(0, cut), Buffer.from(sequence), body.subarray(cut)]);
      }),
  },
  {
    weight: 3,
    arbitrary: fc
      .jsonValue({ maxDepth: 3 })
      .filter((value) => value === null || typeof value !== 'object' || Array.isArray(value))
      .map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
  },
  // Deep nesting (deeper than a recursive parser's stack allows); rare, as each costs a parse of up to 40 KB.
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 20_000 })
      .map((depth) => Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 10_000 })
      .map((depth) => Buffer.from(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)),
  },
  { weight: 2, arbitrary: eventBodies.map(({ body }) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body])) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '',
        ' ',
        '{',
        '{}',
        '{"accountId":"ACME"}',
        '{"__proto__":{"accountId":"ACME"}}',
        '{"accountId":"ACME","accountId":"OTHER"}',
      )
      .map((text) => Buffer.from(text)),
  },
);

// --- signatures ---

const algorithms = fc.constantFrom<SignatureAlgorithmName>('sha512', 'md5');
const mutations: Arbitrary<BodyMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
  fc.constant({ kind: 'reserialise' as const }),
);

export const signatureSpecs: Arbitrary<SignatureSpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('valid' as const),
      algorithm: algorithms,
      key: fc.constantFrom<keyof SigningKeys>('fluent', 'stranger'),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('over-other-bytes' as const),
      algorithm: algorithms,
      mutation: mutations,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('mangled' as const),
      algorithm: algorithms,
      mangle: fc.constantFrom<Mangle>(
        'no-padding',
        'base64url',
        'inner-space',
        'flip-char',
        'doubled',
        'quoted',
        'surrounding-space',
        'upper-cased',
      ),
      at: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('garbage-base64' as const),
      bytes: fc.oneof(fc.uint8Array({ minLength: 128, maxLength: 128 }), fc.uint8Array({ maxLength: 600 })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.string({ unit: 'binary', maxLength: 300 }) }),
  },
);

/** Signature header names in any casing, plus near misses that must not count as signatures. */
const signatureHeaderNames = fc.oneof(
  { weight: 8, arbitrary: fc.mixedCase(fc.constantFrom(FLUENT_SIGNATURE_HEADER, FLEX_SIGNATURE_HEADER)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'fluent_signature',
      'fluentsignature',
      'flex-signature',
      'flex_signature',
      ' fluent-signature',
      'fluent-signature ',
      'x-fluent-signature',
    ),
  },
);

export const headerEntries: Arbitrary<HeaderEntry> = fc.record({
  name: signatureHeaderNames,
  values: fc.array(signatureSpecs, { minLength: 1, maxLength: 2 }),
  form: fc.constantFrom<HeaderEntry['form']>('single', 'repeated'),
  maps: fc.constantFrom<HeaderEntry['maps']>('both', 'both', 'headers', 'multiValueHeaders'),
});

/** Headers a real request carries, and junk ones; names may collide in case with each other. */
export const otherHeaders: Arbitrary<Record<string, string>> = fc.oneof(
  fc.constant({ 'Content-Type': 'application/json', 'User-Agent': 'Apache-HttpClient/4.5.13 (Java/17.0.8)' }),
  fc.dictionary(fc.string({ maxLength: 24 }), fc.string({ unit: 'binary', maxLength: 64 }), { maxKeys: 12 }),
);

export const transports: Arbitrary<Transport> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'base64' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('base64-damaged' as const),
      damage: fc.constantFrom(
        'no-padding' as const,
        'junk-characters' as const,
        'whitespace' as const,
        'base64url' as const,
      ),
      at: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('text' as const),
      encoding: fc.constantFrom('utf8' as const, 'latin1' as const),
    }),
  },
);

export const routes: Arbitrary<string | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('orders', 'orders/status', 'a/b/c', '') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);

// --- building the proxy event ---

/** The bytes a genuine signature was made over, for {@link SignatureSpec} kinds that sign something else. */
function mutate(body: Buffer, mutation: BodyMutation): Buffer {
  switch (mutation.kind) {
    case 'flip': {
      if (body.length === 0) return Buffer.from([mutation.mask]);
      const changed = Buffer.from(body);
      const at = mutation.at % changed.length;
      changed[at] = (changed[at] as number) ^ mutation.mask;
      return changed;
    }
    case 'append':
      return Buffer.concat([body, mutation.bytes]);
    case 'truncate':
      return body.length === 0 ? Buffer.from(' ') : body.subarray(0, mutation.keep % body.length);
    case 'reserialise': {
      // The classic receiver bug: verifying JSON.stringify(JSON.parse(body)) instead of the bytes sent.
      try {
        const again = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))) ?? '', 'utf8');
        return again.equals(body) ? Buffer.concat([body, Buffer.from(' ')]) : again;
      } catch {
        return Buffer.concat([body, Buffer.from('\n')]);
      }
    }
  }
}

function mangled(signature: string, mangle: Mangle, at: number): string {
  switch (mangle) {
    case 'no-padding':
      return signature.endsWith('=') ? signature.replace(/=+$/, '') : `${signature}=`;
    case 'base64url':
      return /[+/]/.test(signature) ? signature.replace(/\+/g, '-').replace(/\//g, '_') : `${signature.slice(0, -2)}-_`;
    case 'inner-space': {
      const cut = 1 + (at % (signature.length - 1));
      return `${signature.slice(0, cut)} ${signature.slice(cut)}`;
    }
    case 'flip-char': {
      const index = at % signature.length;
      const original = signature[index] as string;
      const replacement = original === 'A' ? 'B' : 'A';
      return `${signature.slice(0, index)}${replacement}${signature.slice(index + 1)}`;
    }
    case 'doubled':
      return `${signature}${signature}`;
    case 'quoted':
      return `"${signature}"`;
    case 'surrounding-space':
      // Trimmed by every HTTP layer: still the genuine signature, which the oracle (not the generator) judges.
      return ` ${signature}\t`;
    case 'upper-cased':
      return signature === signature.toUpperCase() ? signature.toLowerCase() : signature.toUpperCase();
  }
}

/** Signs with memory: one case asks for the same signature over its body several times, and RSA signing dominates the run time. */
type Signer = (algorithm: SignatureAlgorithmName, key: keyof SigningKeys, bytes?: Buffer) => string;

function signerFor(body: Buffer, keys: SigningKeys): Signer {
  const made = new Map<string, string>();
  return (algorithm, key, bytes) => {
    if (bytes !== undefined) return cryptoSign(algorithm, bytes, keys[key].privateKey).toString('base64');
    const name = `${key}/${algorithm}`;
    let signature = made.get(name);
    if (signature === undefined) {
      signature = cryptoSign(algorithm, body, keys[key].privateKey).toString('base64');
      made.set(name, signature);
    }
    return signature;
  };
}

function signatureValue(spec: SignatureSpec, body: Buffer, sign: Signer): string {
  switch (spec.kind) {
    case 'valid':
      return sign(spec.algorithm, spec.key);
    case 'over-other-bytes':
      return sign(spec.algorithm, 'fluent', mutate(body, spec.mutation));
    case 'mangled':
      return mangled(sign(spec.algorithm, 'fluent'), spec.mangle, spec.at);
    case 'garbage-base64':
      return Buffer.from(spec.bytes).toString('base64');
    case 'text':
      return spec.text;
  }
}

function transported(body: Buffer, transport: Transport): { body: string; isBase64Encoded: boolean } {
  switch (transport.kind) {
    case 'base64':
      return { body: body.toString('base64'), isBase64Encoded: true };
    case 'text':
      return { body: body.toString(transport.encoding), isBase64Encoded: false };
    case 'base64-damaged': {
      const clean = body.toString('base64');
      const at = clean.length === 0 ? 0 : transport.at % clean.length;
      switch (transport.damage) {
        case 'no-padding':
          return { body: clean.replace(/=+$/, ''), isBase64Encoded: true };
        case 'junk-characters':
          return { body: `${clean.slice(0, at)}!*\u00e9\u0000${clean.slice(at)}`, isBase64Encoded: true };
        case 'whitespace':
          return { body: `${clean.slice(0, at)}\r\n ${clean.slice(at)}`, isBase64Encoded: true };
        case 'base64url':
          return { body: body.toString('base64url'), isBase64Encoded: true };
      }
    }
  }
}

/** Builds the proxy event API Gateway (or an attacker crafting events) would hand the verifying Lambda. */
export function buildCase(parts: CaseParts, keys: SigningKeys): HostileCase {
  const headers: Record<string, string> = { ...parts.otherHeaders };
  const multiValueHeaders: Record<string, string[]> = Object.fromEntries(
    Object.entries(parts.otherHeaders).map(([name, value]) => [name, [value]]),
  );
  const signatureValues: string[] = [];
  const sign = signerFor(parts.body, keys);
  for (const entry of parts.entries) {
    const values = entry.values.map((spec) => signatureValue(spec, parts.body, sign));
    signatureValues.push(...values);
    if (entry.maps !== 'multiValueHeaders')
      headers[entry.name] = entry.form === 'single' ? values.join(',') : (values[values.length - 1] as string);
    if (entry.maps !== 'headers') {
      const previous = multiValueHeaders[entry.name] ?? [];
      multiValueHeaders[entry.name] = [...previous, ...(entry.form === 'single' ? [values.join(',')] : values)];
    }
  }

  const wire = transported(parts.body, parts.transport);
  const exactBytes =
    parts.transport.kind === 'base64' ||
    (parts.transport.kind === 'text' && Buffer.from(wire.body, 'utf8').equals(parts.body));
  const routeServed = parts.route === null || ['orders', 'orders/status', 'a/b/c', ''].includes(parts.route);
  // Judged on the maps as built (a later header of the same name replaces an earlier one in `headers`).
  const sent = (name: string) => sentValues(name, headers, multiValueHeaders);
  const genuine = (algorithm: SignatureAlgorithmName) => sign(algorithm, 'fluent');
  const signedWell = (): boolean => {
    const fluentSignatures = sent(FLUENT_SIGNATURE_HEADER);
    return fluentSignatures !== undefined
      ? fluentSignatures.includes(genuine('sha512'))
      : (sent(FLEX_SIGNATURE_HEADER) ?? []).includes(genuine('md5'));
  };
  const event = gatewayEvent({ body: wire.body, base64: false, headers, multiValueHeaders, route: parts.route });
  // gatewayEvent is told `base64: false` so that it takes the body string as given; the flag is set here.
  event.isBase64Encoded = wire.isBase64Encoded;
  return {
    event,
    mustAccept: parts.bodyIsServedEvent && exactBytes && routeServed && signedWell(),
    signatureValues,
    body: parts.body,
  };
}

/** Every value sent under a header name (any casing, either map), split at commas and trimmed; undefined when never sent. */
function sentValues(
  name: string,
  headers: Record<string, string>,
  multiValueHeaders: Record<string, string[]>,
): string[] | undefined {
  let present = false;
  const values: string[] = [];
  for (const [key, value] of [
    ...Object.entries(headers),
    ...Object.entries(multiValueHeaders).flatMap(([key, list]) => list.map((item) => [key, item] as const)),
  ]) {
    if (key.toLowerCase() !== name) continue;
    present = true;
    values.push(...value.split(',').map((part) => part.trim()));
  }
  return present ? values : undefined;
}
