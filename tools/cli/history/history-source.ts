import { requireOptionalPackages } from '../../../lambdas/contract/optional-packages';
import { resolveDataDir, displayPath } from '../../local/data-dir';
import type { CliIo } from '../cli-io';
import type { OpenedHistory } from './opened-history';

export { StackHistoryError } from './opened-history';
export type { OpenedHistory } from './opened-history';

/** Opens the stack's history with `--stack`, else the local runner's. */
export async function openHistory(options: { stack?: string; region?: string }, io: CliIo): Promise<OpenedHistory> {
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
