import { FluentCallLog } from '../../../tools/local/inspector/fluent-calls';

describe("Inspector: the handlers' calls to Fluent, kept per run", () => {
  it('keeps only the last attempts it is sized for', () => {
    // Prepare
    const calls = new FluentCallLog(2, () => 1_000);
    const delivery = { eventId: 'e1', messageId: 'm1' };
    const attempt = (correlationId: string) => ({
      operation: 'graphql',
      status: '200',
      attempt: 1,
      durationMs: 5,
      next: 'done' as const,
      correlationId,
    });

    // Act
    for (const id of ['c1', 'c2', 'c3']) calls.tap(delivery, attempt(id));

    // Assess
    expect(calls.callsFor(delivery).map((call) => call.correlationId)).toEqual(['c2', 'c3']);
  });
});
