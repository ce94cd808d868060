import {
  ResolvedResource,
  resolveValue,
  ResolveContext,
  UnresolvableReference,
} from '../../../../tools/local/app/intrinsics';

const context: ResolveContext = {
  pseudoParameters: { 'AWS::Region': 'us-east-1', 'AWS::AccountId': '000000000000', 'AWS::Partition': 'aws' },
  parameters: {},
  resources: new Map<string, ResolvedResource>([
    [
      'Queue',
      {
        ref: 'http://127.0.0.1:1/000000000000/q',
        attributes: { Arn: 'arn:aws:sqs:us-east-1:000000000000:q', QueueName: 'q' },
      },
    ],
    ['Api', { ref: 'apiid00000', attributes: {} }],
  ]),
};

describe('resolveValue', () => {
  it('resolves Ref, Fn::GetAtt, Fn::Join and Fn::Sub of the resources the runner created', () => {
    expect(
      resolveValue(
        {
          url: { Ref: 'Queue' },
          arn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
          joined: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:', { Ref: 'Api' }, '/*']] },
          sub: { 'Fn::Sub': ['${Queue.QueueName}-${AWS::Region}-${Extra}', { Extra: 'x' }] },
          split: { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::GetAtt': 'Queue.Arn' }] }] },
          gone: { Ref: 'AWS::NoValue' },
        },
        context,
      ),
    ).toEqual({
      url: 'http://127.0.0.1:1/000000000000/q',
      arn: 'arn:aws:sqs:us-east-1:000000000000:q',
      joined: 'arn:aws:execute-api:apiid00000/*',
      sub: 'q-us-east-1-x',
      split: 'aws',
    });
  });

  it.each([
    [{ Ref: 'NotCreated' }, 'Ref NotCreated'],
    [{ 'Fn::GetAtt': ['Queue', 'Nope'] }, 'Fn::GetAtt Queue.Nope'],
    [{ 'Fn::ImportValue': 'shared' }, 'Fn::ImportValue'],
  ])('throws naming what it cannot resolve: %j', (value, named) => {
    expect(() => resolveValue(value, context)).toThrow(UnresolvableReference);
    expect(() => resolveValue(value, context)).toThrow(named);
  });
});
