import type { ConfigurationProblem } from '../core/errors';
import type { SweepWindow } from '../core/sweep-windows';
import { DEFAULT_EVENT_PAGE_SIZE, EventListCursor, MAX_EVENT_PAGE_SIZE, ReconciliationQuery } from './reconciliation';

/*
 * The scheduled reconciliation sweep: what it compares, how often and how far back, and the checkpoint that lets a
 * run cut by Lambda's timeout resume where it stopped. Shared by the construct (schedules, alarm), the sweep Lambda
 * and the local runner's interval sweep, so that the three read one setting the same way.
 */

/**
 * The sweep's settings: the context key / prop `reconciliationSweep`, the Lambda's and the runner's
 * RECONCILIATION_SWEEP. What to list is `reconcile`'s query (`names`: the webhook event names to compare, each listed
 * on its own; `eventType`, `category`, `eventStatus`, `retailerId`, `entityType`, `idField`); the window comes from
 * the schedule.
 */
export interface ReconciliationSweepSettings extends Omit<ReconciliationQuery, 'from' | 'to'> {
  /** The route a backfilled event is handled under. @default '' */
  readonly route?: string;
  /** How often the recent sweep starts, in minutes (also the gap alarm's period). @default 15 */
  readonly everyMinutes?: number;
  /** How far back the recent sweep compares, in minutes. @default 120 */
  readonly lookbackMinutes?: number;
  /** How far back the nightly sweep compares, in days; 0: no nightly sweep. @default 30 */
  readonly nightlyLookbackDays?: number;
  /** The hour (UTC) the nightly sweep starts. @default 2 */
  readonly nightlyHourUtc?: number;
  /**
   * Minutes left out at the recent end of every window: events still on their way (Fluent's retries, the queue)
   * are not gaps yet. @default 5
   */
  readonly settleMinutes?: number;
  /** Events per Fluent request (and per checkpoint). @default 100 */
  readonly pageSize?: number;
}

export const SWEEP_DEFAULTS = {
  everyMinutes: 15,
  lookbackMinutes: 120,
  nightlyLookbackDays: 30,
  nightlyHourUtc: 2,
  settleMinutes: 5,
  pageSize: DEFAULT_EVENT_PAGE_SIZE,
} as const;

/** The two sweeps a deployment schedules; the scheduler's input names one (`{ "sweep": "recent" }`). */
export const SweepId = { RECENT: 'recent', NIGHTLY: 'nightly' } as const;
export type SweepIdName = (typeof SweepId)[keyof typeof SweepId];

/** What the schedule sends the sweep Lambda. */
export interface SweepInvocation {
  readonly sweep: SweepIdName;
}

/** How far back one sweep compares, by id. */
export function sweepLookbackMinutes(settings: ReconciliationSweepSettings, sweep: SweepIdName): number {
  return sweep === SweepId.NIGHTLY
    ? (settings.nightlyLookbackDays ?? SWEEP_DEFAULTS.nightlyLookbackDays) * 24 * 60
    : (settings.lookbackMinutes ?? SWEEP_DEFAULTS.lookbackMinutes);
}

/** Fluent's Event API searches the last 30 days; nothing older can be listed. */
const MAX_LOOKBACK_DAYS = 30;
/** An alarm evaluates 3 periods of `everyMinutes`, and CloudWatch evaluates at most one day. */
const MAX_EVERY_MINUTES = 480;
/** The settings that are `reconcile`'s query filters, as they are passed on to each listing. */
export const SWEEP_QUERY_FIELDS = [
  'eventType',
  'category',
  'eventStatus',
  'retailerId',
  'entityType',
  'idField',
] as const;
const TEXT_FIELDS = [...SWEEP_QUERY_FIELDS, 'route'] as const;
const NUMBER_FIELDS: Readonly<Record<string, readonly [number, number]>> = {
  everyMinutes: [1, MAX_EVERY_MINUTES],
  lookbackMinutes: [1, MAX_LOOKBACK_DAYS * 24 * 60],
  nightlyLookbackDays: [0, MAX_LOOKBACK_DAYS],
  nightlyHourUtc: [0, 23],
  settleMinutes: [0, 24 * 60],
  pageSize: [1, MAX_EVENT_PAGE_SIZE],
};
const KNOWN_FIELDS: ReadonlySet<string> = new Set(['names', ...TEXT_FIELDS, ...Object.keys(NUMBER_FIELDS)]);

/**
 * Reads the sweep's settings from an object (cdk.json, a prop) or its JSON text (`-c`, an environment variable).
 * Every problem is named `<setting>.<field>`; the settings are undefined when there is any.
 */
export function readSweepSettings(
  setting: string,
  value: unknown,
): { settings?: ReconciliationSweepSettings; problems: ConfigurationProblem[] } {
  let object = value;
  if (typeof value === 'string') {
    try {
      object = JSON.parse(value) as unknown;
    } catch {
      return {
        problems: [{ setting, message: 'is not JSON: give an object such as {"names":["OrderStatusChange"]}.' }],
      };
    }
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    return { problems: [{ setting, message: 'must be an object such as {"names":["OrderStatusChange"]}.' }] };
  }
  const fields = object as Record<string, unknown>;
  const problems: ConfigurationProblem[] = [];
  for (const key of Object.keys(fields)) {
    if (!KNOWN_FIELDS.has(key)) {
      problems.push({
        setting: `${setting}.${key}`,
        message: `is not a field; known: ${[...KNOWN_FIELDS].join(', ')}.`,
      });
    }
  }
  const names = fields.names;
  if (!Array.isArray(names) || names.length === 0 || !names.every((name) => typeof name === 'string' && name.trim())) {
    problems.push({
      setting: `${setting}.names`,
      message: 'must list the webhook event names to compare, for example ["OrderStatusChange"].',
    });
  }
  for (const key of TEXT_FIELDS) {
    const text = fields[key];
    if (text !== undefined && (typeof text !== 'string' || (text.trim() === '' && key !== 'route'))) {
      problems.push({ setting: `${setting}.${key}`, message: 'must be a non-empty string.' });
    }
  }
  for (const [key, [min, max]] of Object.entries(NUMBER_FIELDS)) {
    const number = fields[key];
    if (number !== undefined && (!Number.isInteger(number) || (number as number) < min || (number as number) > max)) {
      problems.push({
        setting: `${setting}.${key}`,
        message: `is ${JSON.stringify(number)}; use a whole number from ${min} to ${max}.`,
      });
    }
  }
  if (problems.length > 0) return { problems };
  return {
    settings: { ...(fields as unknown as ReconciliationSweepSettings), names: [...new Set(names as string[])] },
    problems,
  };
}

/**
 * Where a sweep is: its plan (the windows, door failures first) and the position of the next page to read. Saved
 * after each page, so a run cut by the Lambda's timeout resumes at the page it had not finished.
 */
export interface SweepCheckpoint {
  readonly sweep: SweepIdName;
  /** When the plan was made. */
  readonly plannedAt: string;
  readonly windows: readonly SweepWindow[];
  /** Index in `windows` of the window being compared. */
  readonly window: number;
  /** Index in the names of the name being listed. */
  readonly name: number;
  /**
   * Fluent's `start` offset of the next page from the window's start, as checkpoints saved before `cursor` existed
   * kept their place (a stack updated in the middle of a sweep resumes from it once). New checkpoints save 0.
   */
  readonly start: number;
  /** Where the name being listed goes on: after the last event compared. */
  readonly cursor?: EventListCursor;
  /** True once every window was compared to its end: the next run makes a new plan. */
  readonly done: boolean;
  /** The door's metrics were read up to here; the next plan reads them from here on. */
  readonly doorCheckedUntil: string;
}

/** The checkpoint table's key attribute (one item per sweep id). */
export const CHECKPOINT_TABLE_KEY = 'sweep';

export type { SweepWindow };
