import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signFluentPayload } from '../../lambdas/core/sign-payload';
import { gatewayEvent } from '../support/gateway-event';
import { testKeyPair } from '../support/test-keys';

type SnippetModule = typeof import('../../docs/snippets/verify-in-your-lambda');

const fluent = testKeyPair(1024, 'fluent');
const sample = readFileSync(join(__dirname, '..', '..', 'samples', 'order-status-change.json'));

/** The snippet reads FLUENT_PUBLIC_KEYS when it loads, as a Lambda reads its environment at cold start. */
function loadSnippet(): SnippetModule {
  const saved = process.env.FLUENT_PUBLIC_KEYS;
  process.env.FLUENT_PUBLIC_KEYS = fluent.publicKeyBase64;
  try {
    let loaded: SnippetModule | undefined;
    jest.isolateModules(() => {
      loaded = jest.requireActual<SnippetModule>('../../docs/snippets/verify-in-your-lambda');
    });
    return loaded!;
  } finally {
    if (saved === undefined) delete process.env.FLUENT_PUBLIC_KEYS;
    else process.env.FLUENT_PUBLIC_KEYS = saved;
  }
}

describe('Docs: docs/snippets/verify-in-your-lambda.ts (the library page quotes it)', () => {
  const { handler } = loadSnippet();
  beforeEach(() => {
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('answers 200 with the event id to a request Fluent signed', async () => {
    // Act
    const response = await handler(
      gatewayEvent({ body: sample, headers: signFluentPayload(sample, fluent.privateKey) }),
    );

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ id: '3f6c2a1e-8d4b-4e27-9c15-0b7a9d2e4f81' });
  });

  it('answers 401 to a changed body and 403 to another account, naming the reason', async () => {
    // Prepare
    const changed = Buffer.from(sample.toString('utf8').replace('SHIPPED', 'CANCELLED'));
    const otherAccount = Buffer.from(sample.toString('utf8').replace('"ACME"', '"OTHER"'));

    // Act
    const tampered = await handler(
      gatewayEvent({ body: changed, headers: signFluentPayload(sample, fluent.privateKey) }),
    );
    const foreign = await handler(
      gatewayEvent({ body: otherAccount, headers: signFluentPayload(otherAccount, fluent.privateKey) }),
    );

    // Assess
    expect([tampered.statusCode, JSON.parse(tampered.body).error]).toEqual([401, 'no-matching-key']);
    expect([foreign.statusCode, JSON.parse(foreign.body).error]).toEqual([403, 'account-not-allowed']);
  });
});
