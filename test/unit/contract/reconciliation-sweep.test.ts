import { readSweepSettings, sweepLookbackMinutes } from '../../../lambdas/contract/reconciliation-sweep';

describe('Function: readSweepSettings', () => {
  it('reads an object or its JSON text, names de-duplicated', () => {
    // Act
    const fromObject = readSweepSettings('reconciliationSweep', { names: ['A', 'A', 'B'], everyMinutes: 5 });
    const fromText = readSweepSettings('RECONCILIATION_SWEEP', '{"names":["A"],"idField":"context.id","route":""}');

    // Assess
    expect(fromObject).toEqual({ settings: { names: ['A', 'B'], everyMinutes: 5 }, problems: [] });
    expect(fromText.settings).toEqual({ names: ['A'], idField: 'context.id', route: '' });
  });

  it('names every problem by its field, and gives no settings then', () => {
    // Act
    const { settings, problems } = readSweepSettings('reconciliationSweep', {
      names: ['A', ''],
      eventType: 3,
      lookbackMinutes: 50_000,
      pageSize: 5001,
      nightlyLookbackDays: 1.5,
      schedule: 'rate(1 hour)',
    });

    // Assess
    expect(settings).toBeUndefined();
    expect(problems.map((problem) => problem.setting).sort()).toEqual([
      'reconciliationSweep.eventType',
      'reconciliationSweep.lookbackMinutes',
      'reconciliationSweep.names',
      'reconciliationSweep.nightlyLookbackDays',
      'reconciliationSweep.pageSize',
      'reconciliationSweep.schedule',
    ]);
  });

  it.each([
    ['{names', 'is not JSON'],
    ['["A"]', 'must be an object'],
    [null, 'must be an object'],
  ])('refuses %j as a whole', (value, message) => {
    expect(readSweepSettings('S', value).problems).toEqual([
      { setting: 'S', message: expect.stringContaining(message) },
    ]);
  });
});

describe('Function: sweepLookbackMinutes', () => {
  it('is lookbackMinutes for the recent sweep and nightlyLookbackDays for the nightly one, with the defaults', () => {
    expect(sweepLookbackMinutes({ names: ['A'] }, 'recent')).toBe(120);
    expect(sweepLookbackMinutes({ names: ['A'] }, 'nightly')).toBe(30 * 24 * 60);
    expect(sweepLookbackMinutes({ names: ['A'], nightlyLookbackDays: 7, lookbackMinutes: 30 }, 'nightly')).toBe(
      7 * 1440,
    );
  });
});
