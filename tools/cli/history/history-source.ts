import { requireOptionalPackages } from '../../../lambdas/contract/optional-packages';
import { resolveDataDir, displayPath } from '../../local/data-dir';
import type { CliIo } from '../cli-io';
import { UsageError } from '../command';
import { OpenedHistory, StackHistoryError } from './opened-history';

export type { OpenedHistory } from './opened-history';

/**
 * What `history`, `replay` and `reconcile` do first: refuse `--region` without `--stack` (a usage error), then open
 * the history; a stack that cannot be read or lacks the history is explained on standard error and gives undefined
 * (the command then exits 1).
 */
export async function openHistoryOrExplain(
  options: { stack?: string; region?: string },
  io: CliIo,
): Promise<OpenedHistory | undefined> {
  if (options.region !== undefined && options.stack === undefined) {
    throw new UsageError('--region goes with --stack: the local history needs no region.');
  }
  try {
    return await openHistory(options, io);
  } catch (error) {
    if (!(error instanceof StackHistoryError)) throw error;
    io.err(error.message);
    return undefined;
  }
}

/** Opens the stack's history with `--stack`, else the local runner's. */
async function openHistory(options: { stack?: string; region?: string }, io: CliIo): Promise<OpenedHistory> {
  if (options.stack !== undefined) {
    requireOptionalPackages("the stack's history");
    const { openStackHistory } = await import('./stack-history');
    return openStackHistory(options.stack, options.region);
  }
  const dataDir = resolveDataDir(io.env);
  requireOptionalPackages("the local runner's history");
  const { openLocalHistory } = await import('../../local/local-history');
  const local = await openLocalHistory(dataDir, io.env);
  return {
    store: local.store,
    where: `the local runner's data folder ${displayPath(dataDir)}${local.runner === undefined ? ' (stopped)' : ''}`,
    retentionDays: local.retentionDays,
    ...(local.runner === undefined
      ? {}
      : {
          queue: { url: local.runner.queueUrl, endpoint: local.runner.sqsEndpoint, region: local.runner.region },
          ...(local.runner.reconciliationQueueUrl === undefined
            ? {}
            : {
                reconciliationQueue: {
                  url: local.runner.reconciliationQueueUrl,
                  endpoint: local.runner.sqsEndpoint,
                  region: local.runner.region,
                },
              }),
          ...(local.runner.fluentStandIn === undefined ? {} : { fluentStandIn: local.runner.fluentStandIn }),
        }),
    close: () => local.close(),
  };
}
