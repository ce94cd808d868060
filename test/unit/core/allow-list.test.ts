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
});
