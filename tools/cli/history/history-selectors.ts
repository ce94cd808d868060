import { HistoryOutcome, HistoryOutcomeName, HistoryQuery } from '../../../lambdas/contract/history';
import { UsageError } from '../command';

/** The selectors `history` and `replay` share, as `parseOptions` takes them. */
export const SELECTOR_OPTIONS = {
  id: { type: 'string', multiple: true },
  'entity-ref': { type: 'string' },
  name: { type: 'string', multiple: true },
  account: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  outcome: { type: 'string' },
} as const;

/** Where the history is: the local runner's data folder, or a deployed stack. */
export const SOURCE_OPTIONS = {
  stack: { type: 'string' },
  region: { type: 'string' },
} as const;

/** The usage lines of the selectors and the source flags. */
export const SELECTOR_USAGE = [
  '  --id ID              this event (repeatable)',
  '  --entity-ref REF     events whose entityRef or rootEntityRef is REF (an order and its fulfilments)',
  '  --name NAME          events with this name (repeatable)',
  '  --account ID         events of this Fluent account',
  '  --from ISO --to ISO  received in this time range (default: the retention window up to now)',
  `  --outcome O          ${Object.values(HistoryOutcome).join('|')}`,
  "  --stack NAME         read the deployed stack's history (its HistoryTableName output) instead of the local",
  "                       runner's (the data folder LOCAL_DATA_DIR, default .local, running or stopped)",
  "  --region REGION      the stack's region (default: AWS_REGION or your profile)",
];

type SelectorValues = {
  id?: string[];
  'entity-ref'?: string;
  name?: string[];
  account?: string;
  from?: string;
  to?: string;
  outcome?: string;
};

const OUTCOMES: ReadonlySet<string> = new Set(Object.values(HistoryOutcome));

/** The query the selector flags describe; throws {@link UsageError} naming the flag to fix. */
export function readHistoryQuery(values: SelectorValues): HistoryQuery {
  const from = readTime(values.from, 'from');
  const to = readTime(values.to, 'to');
  if (from !== undefined && to !== undefined && from > to) {
    throw new UsageError(`--from ${values.from} is after --to ${values.to}.`);
  }
  if (values.outcome !== undefined && !OUTCOMES.has(values.outcome)) {
    throw new UsageError(`--outcome ${values.outcome}: use one of ${[...OUTCOMES].join(', ')}.`);
  }
  const nonEmpty = (value: string | undefined, flag: string): string | undefined => {
    if (value !== undefined && value.trim() === '') throw new UsageError(`--${flag} is empty.`);
    return value;
  };
  for (const id of values.id ?? []) nonEmpty(id, 'id');
  for (const name of values.name ?? []) nonEmpty(name, 'name');
  return {
    ...(values.id === undefined ? {} : { eventIds: values.id }),
    ...(values['entity-ref'] === undefined ? {} : { entityRef: nonEmpty(values['entity-ref'], 'entity-ref') }),
    ...(values.name === undefined ? {} : { names: values.name }),
    ...(values.account === undefined ? {} : { accountId: nonEmpty(values.account, 'account') }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(values.outcome === undefined ? {} : { outcome: values.outcome as HistoryOutcomeName }),
  };
}

/** An ISO 8601 date or time as the history compares it (UTC, milliseconds). */
export function readTime(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(time)) {
    throw new UsageError(
      `--${flag} ${value}: use an ISO 8601 date or time, for example 2026-12-01 or 2026-12-01T09:30:00Z.`,
    );
  }
  return new Date(time).toISOString();
}
