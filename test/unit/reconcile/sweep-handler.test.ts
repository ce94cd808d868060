import type { Context } from 'aws-lambda';
import { handler } from '../../../lambdas/reconcile/handler';

const context = { awsRequestId: 'request-1', getRemainingTimeInMillis: () => 900_000 } as unknown as Context;

describe('Function: the sweep Lambda handler', () => {
  it.each([[undefined], [null], [{}], [{ sweep: 'weekly' }], ['recent']])(
    'refuses the input %j naming the sweeps it knows, before it reads anything',
    async (event) => {
      await expect(handler(event, context)).rejects.toThrow(
        'The sweep\'s input must name one of recent, nightly: {"sweep":"recent"}.',
      );
    },
  );

  it('fails its start naming RECONCILIATION_SWEEP when the stack did not set it', async () => {
    // Prepare
    const saved = process.env.RECONCILIATION_SWEEP;
    delete process.env.RECONCILIATION_SWEEP;

    // Act & Assess
    try {
      await expect(handler({ sweep: 'recent' }, context)).rejects.toThrow('RECONCILIATION_SWEEP must be an object');
    } finally {
      if (saved !== undefined) process.env.RECONCILIATION_SWEEP = saved;
    }
  });
});
