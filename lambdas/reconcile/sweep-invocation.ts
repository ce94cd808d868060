import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { boundedLogValue } from '../contract/log-values';
import { ReconciliationMetric } from '../contract/observability';
import { SweepId, SweepIdName } from '../contract/reconciliation-sweep';
import { runSweep, SweepReport, SweepRun } from './sweep';

/** The log message of every sweep invocation's summary line (one per sweep it ran). */
export const SWEEP_LOG_MESSAGE = 'reconciliation sweep';

export interface SweepInvocationOptions {
  /** Everything a sweep needs but which sweep, who holds it and until when. */
  readonly run: Omit<SweepRun, 'sweep' | 'holder' | 'deadline' | 'resumeOnly'>;
  readonly sweep: SweepIdName;
  readonly holder: string;
  readonly deadline: number;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  readonly metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
}

/**
 * One scheduled invocation, as the sweep Lambda and the local runner's interval sweep run it: the sweep it was
 * started for, then, with time left, any other sweep an earlier run left unfinished (so a nightly sweep too long
 * for one invocation is continued every few minutes, not the next night). Logs one summary line per sweep and
 * publishes GapsFound and GapsBackfilled once, in total, also when a sweep throws.
 */
export async function invokeSweeps(options: SweepInvocationOptions): Promise<SweepReport[]> {
  const reports: SweepReport[] = [];
  const common = { ...options.run, holder: options.holder, deadline: options.deadline };
  const now = (): number => (options.run.now?.() ?? new Date()).getTime();
  try {
    reports.push(await runSweep({ ...common, sweep: options.sweep }));
    for (const other of Object.values(SweepId).filter((id) => id !== options.sweep)) {
      if (reports.at(-1)?.outcome === 'stopped' || now() >= options.deadline) break;
      const report = await runSweep({ ...common, sweep: other, resumeOnly: true });
      if (report.outcome !== 'idle') reports.push(report);
    }
  } finally {
    for (const report of reports) logSweep(options.logger, report);
    const total = (pick: (report: SweepReport) => number) => reports.reduce((sum, report) => sum + pick(report), 0);
    options.metrics.addMetric(
      ReconciliationMetric.GAPS_FOUND,
      MetricUnit.Count,
      total((report) => report.gapsFound),
    );
    options.metrics.addMetric(
      ReconciliationMetric.GAPS_BACKFILLED,
      MetricUnit.Count,
      total((report) => report.gapsBackfilled),
    );
    options.metrics.publishStoredMetrics();
  }
  return reports;
}

function logSweep(logger: Pick<Logger, 'info' | 'warn'>, report: SweepReport): void {
  const { failed, doorCheckError, ...counts } = report;
  const fields = {
    ...counts,
    failed: failed.length,
    // The ids only (bounded): what could not be backfilled is retried by the next sweep.
    ...(failed.length === 0 ? {} : { failedIds: failed.slice(0, 20).map((failure) => boundedLogValue(failure.id)) }),
    ...(doorCheckError === undefined ? {} : { doorCheckError: boundedLogValue(doorCheckError) }),
  };
  if (failed.length > 0 || doorCheckError !== undefined) logger.warn(SWEEP_LOG_MESSAGE, fields);
  else logger.info(SWEEP_LOG_MESSAGE, fields);
}
