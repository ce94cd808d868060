import { AllowList, AllowListRejection, checkAllowList } from '../../../lambdas/core';

describe('Function: checkAllowList', () => {
  const acme: AllowList = { accountIds: ['ACME', 'Beta'] };
  const acmeShops: AllowList = { accountIds: ['ACME'], retailerIds: ['1', '2'] };

  it.each([
    ['an allowed account', acme, { accountId: 'ACME', retailerId: '9' }],
    ['an allowed account in other casing', acme, { accountId: 'beta' }],
    ['any account under *', { accountIds: '*' } as AllowList, { accountId: 'ANYONE' }],
    ['no account at all under *', { accountIds: '*' } as AllowList, {}],
    ['an allowed retailer', acmeShops, { accountId: 'ACME', retailerId: '2' }],
    ['a numeric retailer id', acmeShops, { accountId: 'ACME', retailerId: 1 }],
    ['a numeric account id', { accountIds: ['42'] }, { accountId: 42 }],
  ])('admits %s', (_case, allowList, body) => {
    // Act
    const decision = checkAllowList(body, allowList);

    // Assess
    expect(decision).toEqual({ ok: true });
  });

  it.each([
    [
      'another account',
      acme,
      { accountId: 'EVIL' },
      AllowListRejection.ACCOUNT_NOT_ALLOWED,
      'The event is for an account this receiver does not serve.',
    ],
    ['no accountId', acme, { retailerId: '1' }, AllowListRejection.ACCOUNT_NOT_ALLOWED, 'The event has no accountId.'],
    [
      'an empty accountId',
      acme,
      { accountId: '' },
      AllowListRejection.ACCOUNT_NOT_ALLOWED,
      'The event has no accountId.',
    ],
    [
      'an accountId that is an object',
      acme,
      { accountId: { id: 'ACME' } },
      AllowListRejection.ACCOUNT_NOT_ALLOWED,
      'The event has no accountId.',
    ],
    [
      'another retailer',
      acmeShops,
      { accountId: 'ACME', retailerId: '3' },
      AllowListRejection.RETAILER_NOT_ALLOWED,
      'The event is for a retailer this receiver does not serve.',
    ],
    [
      'no retailerId',
      acmeShops,
      { accountId: 'ACME' },
      AllowListRejection.RETAILER_NOT_ALLOWED,
      'The event is for a retailer this receiver does not serve.',
    ],
    [
      'a retailer under * accounts',
      { accountIds: '*', retailerIds: ['1'] } as AllowList,
      { accountId: 'X', retailerId: '5' },
      AllowListRejection.RETAILER_NOT_ALLOWED,
      'The event is for a retailer this receiver does not serve.',
    ],
  ])('refuses %s', (_case, allowList, body, reason, message) => {
    // Act
    const decision = checkAllowList(body, allowList);

    // Assess
    expect(decision).toEqual({ ok: false, reason, message });
  });

  it.each([
    [
      'an account that matches only under Unicode case mapping (ſ upper-cases to S)',
      { accountIds: ['ACMES'] },
      'acmeſ',
    ],
    ['an account with the Kelvin sign for K', { accountIds: ['ACMEK'] }, 'ACME\u212A'],
    ['an account with a dotted capital I', { accountIds: ['ACMEI'] }, 'acme\u0130'],
  ])('refuses %s', (_case, allowList, accountId) => {
    // Act
    const decision = checkAllowList({ accountId }, allowList as AllowList);

    // Assess
    expect(decision).toMatchObject({ ok: false, reason: AllowListRejection.ACCOUNT_NOT_ALLOWED });
  });

  it.each([
    ['9007199254740993', ['9007199254740992'], false],
    ['9007199254740993', ['9007199254740993'], true],
    ['1.0', ['1'], false],
    ['1', ['1'], true],
    ['1e0', ['1'], false],
  ])('compares the numeric retailer id %s by its text as sent (allowed %j: %s)', (token, retailerIds, admitted) => {
    // Prepare
    const text = `{"accountId":"ACME","retailerId":${token}}`;

    // Act
    const decision = checkAllowList(
      JSON.parse(text) as Record<string, unknown>,
      { accountIds: ['ACME'], retailerIds },
      text,
    );

    // Assess
    expect(decision.ok).toBe(admitted);
  });

  it('without the source text, admits a numeric id only when it is a safe integer', () => {
    // Act
    const unsafe = checkAllowList(
      { accountId: 'ACME', retailerId: 2 ** 53 + 2 },
      {
        accountIds: ['ACME'],
        retailerIds: [String(2 ** 53 + 2)],
      },
    );
    const safe = checkAllowList({ accountId: 42 }, { accountIds: ['42'] });

    // Assess
    expect(unsafe.ok).toBe(false);
    expect(safe.ok).toBe(true);
  });
});
