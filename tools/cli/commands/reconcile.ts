import { randomBytes } from 'node:crypto';
import { FluentApiEnv } from '../../../lambdas/contract/environment';
import { requireOptionalPackages } from '../../../lambdas/contract/optional-packages';
import {
  DEFAULT_RECONCILIATION_EVENT_TYPE,
  DEFAULT_RECONCILIATION_MAX_PAGES,
  DEFAULT_RECONCILIATION_RUN_SECONDS,
  ReconciliationQuery,
} from '../../../lambdas/contract/reconciliation';
import { DEFAULT_LISTED_ID_FIELD } from '../../../lambdas/core/listed-event';
import {
  FluentApiClient,
  FluentApiError,
  FluentNotConfiguredError,
  staticCredentials,
} from '../../../lambdas/fluent-api';
import { DEFAULT_EVENT_PAGE_SIZE, MAX_EVENT_PAGE_SIZE } from '../../../lambdas/fluent-api/fluent-event-list';
import { reconcile, ReconciliationReport } from '../../../lambdas/reconcile/reconcile-run';
import type { fluentApiClientFromEnv } from '../../../lambdas/fluent-api/fluent-api-from-env';
import { LOCAL_FLUENT_CLIENT } from '../../local/local-fluent-client';
import type { CliIo } from '../cli-io';
import { CliCommand, ExitCode, ExitCodeValue, UsageError } from '../command';
import { OpenedHistory, openHistoryOrExplain } from '../history/history-source';
import { readTime, SOURCE_OPTIONS } from '../history/history-selectors';
import { parseOptions, required } from '../parse-options';

const OPTIONS = {
  ...SOURCE_OPTIONS,
  from: { type: 'string' },
  to: { type: 'string' },
  name: { type: 'string', multiple: true },
  'event-type': { type: 'string' },
  category: { type: 'string' },
  'event-status': { type: 'string' },
  'retailer-id': { type: 'string' },
  'entity-type': { type: 'string' },
  'id-field': { type: 'string' },
  route: { type: 'string' },
  'page-size': { type: 'string' },
  'max-pages': { type: 'string' },
  'max-seconds': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

export const reconcileCommand: CliCommand = {
  name: 'reconcile',
  summary: "Find the events Fluent produced that never arrived as webhooks (Fluent's Event API), and backfill them.",
  usage: [
    'Usage: fluent-webhook reconcile --from ISO --to ISO --name NAME [--name NAME]... [filters] [--dry-run] [--json]',
    '                                [--stack NAME [--region REGION]]',
    '',
    "Lists Fluent's events (GET /api/v4.1/event) page by page, compares them by id with the history of what was",
    'received, and hands each gap to the handlers once through the consumer (unsigned, from the reconciliation',
    "queue, with provenance `reconciliation`). A second run over the same window finds no gap. Fluent's API: the",
    `same settings the handlers' client uses (${FluentApiEnv.API_URL}, ${FluentApiEnv.ACCOUNT}, ${FluentApiEnv.SECRET_ID}`,
    `or ${FluentApiEnv.CLIENT_ID}/${FluentApiEnv.CLIENT_SECRET}); locally without them, the runner's Fluent stand-in.`,
    'Exit code 0 when the window was compared to its end and every gap was backfilled (or, with --dry-run, none',
    'was found), 1 otherwise, 2 when called wrongly.',
    '',
    'Options:',
    "  --from ISO --to ISO    the window, on the listed event's generatedOn",
    '  --name NAME            an event name to compare (repeatable; each is listed on its own)',
    `  --event-type TYPE      ORCHESTRATION (default) or ORCHESTRATION_AUDIT`,
    '  --category C           an audit event category, for example ACTION',
    '  --event-status S       PENDING, NO_MATCH, FAILED, SUCCESS, SCHEDULED or COMPLETE (default: any)',
    '  --retailer-id ID       events of this retailer',
    '  --entity-type T        events about this entity type (context.entityType)',
    `  --id-field PATH        the listed event's field holding the webhook id (default ${DEFAULT_LISTED_ID_FIELD})`,
    '  --route ROUTE          the route a backfilled event is handled under, as a webhook path (default: none)',
    `  --page-size N          events per request (default ${DEFAULT_EVENT_PAGE_SIZE}, at most ${MAX_EVENT_PAGE_SIZE})`,
    `  --max-pages N          stop after N pages (default ${DEFAULT_RECONCILIATION_MAX_PAGES})`,
    `  --max-seconds N        stop listing after N seconds (default ${DEFAULT_RECONCILIATION_RUN_SECONDS})`,
    '  --dry-run              report the gaps; backfill nothing',
    '  --json                 print one JSON object: listed, received, gaps, backfilled, pages, complete, ...',
    "  --stack NAME           compare with the deployed stack's history and backfill into its reconciliation queue",
    "  --region REGION        the stack's region",
    '',
    "Deployed, the caller must be allowed to read the history and send to the stack's reconciliation queue.",
  ].join('\n'),

  async run(argv, io) {
    const { createSqsClient, sqsBackfill, fluentApiClientFromEnv } = await loadReconcile();
    const options = parseOptions(argv, OPTIONS);
    const query = readQuery(options);
    const bounds = {
      pageSize: readWhole(options['page-size'], 'page-size', DEFAULT_EVENT_PAGE_SIZE, MAX_EVENT_PAGE_SIZE),
      maxPages: readWhole(options['max-pages'], 'max-pages', DEFAULT_RECONCILIATION_MAX_PAGES, 1_000_000),
      deadline:
        Date.now() +
        1000 * readWhole(options['max-seconds'], 'max-seconds', DEFAULT_RECONCILIATION_RUN_SECONDS, 86_400),
    };
    const dryRun = options['dry-run'] === true;

    const history = await openHistoryOrExplain(options, io);
    if (history === undefined) return ExitCode.FAILED;
    let fluent: FluentApiClient;
    try {
      fluent = fluentClient(io, history, fluentApiClientFromEnv);
    } catch (error) {
      // The opened history (locally: a DynamoDB emulator on the data folder) would keep the process alive.
      await history.close();
      throw error;
    }
    const queue = history.reconciliationQueue;
    if (!dryRun && queue === undefined) {
      await history.close();
      io.err(
        `No reconciliation queue to backfill into: ${history.where}. ${options.stack === undefined ? 'Start the local runner (npm start) first.' : 'Deploy a version with the reconciliation queue.'} --dry-run works without it.`,
      );
      return ExitCode.FAILED;
    }
    const sqs =
      dryRun || queue === undefined
        ? undefined
        : createSqsClient({
            region: queue.region,
            endpoint: queue.endpoint === undefined ? undefined : new URL(queue.endpoint),
            env: io.env,
          });
    try {
      const report = await reconcile({
        fluent,
        history: history.store,
        query,
        bounds,
        ...(sqs === undefined || queue === undefined
          ? {}
          : {
              backfill: sqsBackfill({ sqs, queueUrl: queue.url, runId: newRunId(), route: options.route ?? '' }),
            }),
        onProgress: (progress) =>
          io.progress?.(
            `pages ${progress.pages}, events compared ${progress.listed}, gaps ${progress.gaps}` +
              `${dryRun ? '' : `, backfilled ${progress.backfilled}`}`,
          ),
      });
      return printReport(report, { dryRun, json: options.json === true, where: history.where, io });
    } catch (error) {
      if (!(error instanceof FluentApiError)) throw error;
      const correlation = error.correlationId === undefined ? '' : ` (correlation id ${error.correlationId})`;
      io.err(`Listing Fluent's events failed: ${error.name}: ${error.message}${correlation}`);
      return ExitCode.FAILED;
    } finally {
      sqs?.destroy();
      await history.close();
    }
  },
};

/**
 * Loaded when reconcile runs: the SQS client and Secrets Manager's (for the Fluent credentials) are optional
 * dependencies, which a verifier-only install leaves out.
 */
async function loadReconcile() {
  requireOptionalPackages('fluent-webhook reconcile');
  const [{ createSqsClient }, { sqsBackfill }, { fluentApiClientFromEnv }] = await Promise.all([
    import('../redrive/sqs-client'),
    import('../../../lambdas/reconcile/sqs-backfill'),
    import('../../../lambdas/fluent-api/fluent-api-from-env'),
  ]);
  return { createSqsClient, sqsBackfill, fluentApiClientFromEnv };
}

type Options = ReturnType<typeof parseOptions<typeof OPTIONS>>;

function readQuery(options: Options): ReconciliationQuery {
  const from = readTime(required(options.from, 'from'), 'from') as string;
  const to = readTime(required(options.to, 'to'), 'to') as string;
  if (from > to) throw new UsageError(`--from ${options.from} is after --to ${options.to}.`);
  const names = required(options.name, 'name');
  const text = (value: string | undefined, flag: string): string | undefined => {
    if (value !== undefined && value.trim() === '') throw new UsageError(`--${flag} is empty.`);
    return value;
  };
  for (const name of names) text(name, 'name');
  const optional = {
    eventType: text(options['event-type'], 'event-type') ?? DEFAULT_RECONCILIATION_EVENT_TYPE,
    category: text(options.category, 'category'),
    eventStatus: text(options['event-status'], 'event-status'),
    retailerId: text(options['retailer-id'], 'retailer-id'),
    entityType: text(options['entity-type'], 'entity-type'),
    idField: text(options['id-field'], 'id-field'),
  };
  return {
    names: [...new Set(names)],
    from,
    to,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}

function readWhole(value: string | undefined, flag: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) {
    throw new UsageError(`--${flag} ${value}: use a whole number from 1 to ${max}.`);
  }
  return number;
}

/** The handlers' client from the environment; locally without FLUENT_API_URL, the running runner's stand-in. */
function fluentClient(io: CliIo, history: OpenedHistory, fromEnv: typeof fluentApiClientFromEnv): FluentApiClient {
  try {
    const configured = fromEnv(io.env);
    if (configured !== undefined) return configured;
  } catch (error) {
    if (error instanceof FluentNotConfiguredError) throw new UsageError(error.message);
    throw error;
  }
  if (history.fluentStandIn !== undefined) {
    return new FluentApiClient({
      settings: { apiUrl: history.fluentStandIn.apiUrl, account: history.fluentStandIn.account },
      credentials: staticCredentials(LOCAL_FLUENT_CLIENT),
    });
  }
  throw new UsageError(
    `Set ${FluentApiEnv.API_URL} and ${FluentApiEnv.ACCOUNT} (and the credentials: ${FluentApiEnv.SECRET_ID}, or ${FluentApiEnv.CLIENT_ID} and ${FluentApiEnv.CLIENT_SECRET}), or start the local runner (npm start) for its Fluent stand-in.`,
  );
}

function printReport(
  report: ReconciliationReport,
  context: { dryRun: boolean; json: boolean; where: string; io: CliIo },
): ExitCodeValue {
  const { io, dryRun } = context;
  const complete = report.end === 'complete';
  if (context.json) {
    io.out(
      JSON.stringify({
        listed: report.listed,
        received: report.received,
        gaps: report.gapEvents,
        backfilled: report.backfilled,
        failed: report.failed,
        ignored: report.ignored,
        pages: report.pages,
        complete,
        ...(complete ? {} : { stoppedBy: report.end }),
        dryRun,
      }),
    );
  } else {
    for (const gap of report.gapEvents) {
      io.out(
        `gap ${gap.id} ${gap.name}${gap.entityRef === undefined ? '' : ` ${gap.entityRef}`}` +
          `${gap.generatedOn === undefined ? '' : ` ${gap.generatedOn}`}`,
      );
    }
  }
  for (const failure of report.failed) io.err(`Not backfilled ${failure.id}: ${failure.problem}.`);
  io.err(
    `Compared ${report.listed} events listed by Fluent (${report.pages} pages) with ${context.where}: ` +
      `${report.received} received, ${report.gaps} gaps` +
      `${dryRun ? ' (dry run: nothing backfilled)' : `, ${report.backfilled} backfilled`}.`,
  );
  if (!complete) {
    io.err(
      `Stopped early (${report.end === 'deadline' ? '--max-seconds' : '--max-pages'} reached): the rest of the window was not compared. Run again with a narrower window or a higher bound.`,
    );
  }
  const allBackfilled = dryRun ? report.gaps === 0 : report.failed.length === 0;
  return complete && allBackfilled ? ExitCode.OK : ExitCode.FAILED;
}

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
