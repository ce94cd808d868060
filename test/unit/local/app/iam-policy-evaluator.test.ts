import { evaluateAccess, NamedPolicy, unsupportedConditions } from '../../../../tools/local/app/iam-policy-evaluator';

const ROLE = 'arn:aws:iam::000000000000:role/receiver';
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:webhooks';
const request = (action: string, resource = QUEUE) => ({
  principalArn: ROLE,
  accountId: '000000000000',
  action,
  resource,
  context: { 'aws:SecureTransport': 'true', 'aws:PrincipalArn': ROLE },
});
const identity: NamedPolicy = {
  name: 'ReceiverPolicy',
  statements: [{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: QUEUE }],
};
/** The stack's queue policy: TLS only, and only the receiver's role sends. */
const queuePolicy = (sender: string): NamedPolicy => ({
  name: 'QueuePolicy',
  statements: [
    {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sqs:*',
      Resource: QUEUE,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'OnlyTheReceiverSends',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sqs:SendMessage',
      Resource: QUEUE,
      Condition: { ArnNotLike: { 'aws:PrincipalArn': [sender] } },
    },
  ],
});

describe('evaluateAccess', () => {
  it("allows what the role's policy allows and the queue policy does not deny, naming the allowing statement", () => {
    expect(evaluateAccess(request('sqs:SendMessage'), [identity], queuePolicy(ROLE))).toEqual({
      allowed: true,
      statement: 'ReceiverPolicy statement #1',
    });
  });

  it('denies implicitly what no policy allows: another action, another resource', () => {
    expect(evaluateAccess(request('sqs:DeleteMessage'), [identity])).toEqual({ allowed: false, explicitDeny: false });
    expect(evaluateAccess(request('sqs:SendMessage', `${QUEUE}-dlq`), [identity])).toEqual({
      allowed: false,
      explicitDeny: false,
    });
  });

  it('lets an explicit deny in the resource policy win over an allow, and names its statement', () => {
    expect(
      evaluateAccess(request('sqs:SendMessage'), [identity], queuePolicy('arn:aws:iam::000000000000:role/other')),
    ).toEqual({
      allowed: false,
      explicitDeny: true,
      statement: 'QueuePolicy statement OnlyTheReceiverSends',
    });
  });

  it('matches actions case-insensitively and with wildcards, resources with wildcards', () => {
    const broad: NamedPolicy = {
      name: 'Broad',
      statements: [{ Effect: 'Allow', Action: 'SQS:Send*', Resource: 'arn:aws:sqs:*:000000000000:web*' }],
    };
    expect(evaluateAccess(request('sqs:SendMessage'), [broad]).allowed).toBe(true);
  });

  it('lets a resource policy alone allow a principal of the same account', () => {
    const allowRole: NamedPolicy = {
      name: 'TablePolicy',
      statements: [{ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'sqs:SendMessage', Resource: QUEUE }],
    };
    expect(evaluateAccess(request('sqs:SendMessage'), [], allowRole).allowed).toBe(true);
  });

  it('refuses condition operators it does not evaluate, naming them', () => {
    const numeric: NamedPolicy = {
      name: 'P',
      statements: [
        { Sid: 'Big', Effect: 'Deny', Action: '*', Resource: '*', Condition: { NumericGreaterThan: { 'sqs:x': '1' } } },
      ],
    };
    expect(unsupportedConditions(numeric)).toEqual(['NumericGreaterThan in P statement Big']);
    expect(unsupportedConditions(queuePolicy(ROLE))).toEqual([]);
  });
});
