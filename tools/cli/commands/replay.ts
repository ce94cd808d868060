import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  ConfigurationError,
  FluentPublicKey,
  FluentSignatureVerifier,
  parseFluentPublicKeys,
  resolveKeySources,
  SETTING_ENV_NAMES,
  SignaturePolicy,
  SignaturePolicyName,
} from '../../../lambdas/core';
import { requireOptionalPackages } from '../../../lambdas/contract/optional-packages';
import { resolveDataDir } from '../../local/data-dir';
import { localKeyPairPaths } from '../../local/local-key-pair';
import type { CliIo } from '../cli-io';
import { CliCommand, ExitCode, ExitCodeValue, UsageError } from '../command';
import { readDedupWindow } from '../dedup-window';
import { openHistoryOrExplain } from '../history/history-source';
import { readHistoryQuery, SELECTOR_OPTIONS, SELECTOR_USAGE, SOURCE_OPTIONS } from '../history/history-selectors';
import { parseOptions } from '../parse-options';
import { planReplay, ReplayPlan } from '../replay/replay-plan';
import type { ReplayResult } from '../replay/replay-run';

const DEFAULT_RATE = 50;
const MAX_RATE = 3000;
const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;

const OPTIONS = {
  ...SELECTOR_OPTIONS,
  ...SOURCE_OPTIONS,
  'dry-run': { type: 'boolean', default: false },
  reprocess: { type: 'boolean', default: false },
  resume: { type: 'string' },
  rate: { type: 'string' },
  'public-key': { type: 'string', multiple: true },
  'dedup-window-seconds': { type: 'string' },
} as const;

export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 'Put archived events back through the queue, re-verified against the current keys.',
  usage: [
    'Usage: fluent-webhook replay [selectors] [--dry-run] [--reprocess [--resume RUN]] [--rate N] [--stack NAME [--region REGION]]',
    '',
    'Selects events from the history (the same selectors as `history`), re-verifies the archived copy of each',
    "against the current public keys, and sends it to the consumer's queue with provenance `replay`, so it takes",
    'the normal path: handlers, retries, dead-letter queue. A copy that no longer verifies is named and not replayed;',
    'the others go on. Without --reprocess, an event the consumer already processed is a duplicate and its handler',
    'does not run again (one processed longer ago than the de-duplication window is left out and named). Events go',
    'in batches of up to 10 (one read, one SendMessageBatch); Ctrl-C stops between two batches, nothing half-sent,',
    'and prints how to resume. Exit code 0 when every selected event was replayed, 1 otherwise.',
    '',
    'Options:',
    ...SELECTOR_USAGE,
    '  --dry-run            print what would be replayed (after re-verifying each copy); send nothing',
    '  --reprocess          run the handler once more for each event: a fresh de-duplication key for this run',
    '  --resume RUN         with --reprocess: continue the run RUN (printed at the start and on Ctrl-C); events',
    '                       it already handled are not run twice',
    `  --rate N             events per second at most (default ${DEFAULT_RATE}, at most ${MAX_RATE})`,
    '  --public-key KEY     the keys to verify with, as FLUENT_PUBLIC_KEYS takes them (repeatable; default:',
    "                       FLUENT_PUBLIC_KEYS, else locally the runner's test key)",
    "  --dedup-window-seconds N  the consumer's de-duplication window (default: IDEMPOTENCY_EXPIRY_SECONDS, else 15 days)",
    '',
    'Deployed, the caller must be allowed to send to the queue (context queueSenderArns) and to read the history.',
  ].join('\n'),

  async run(argv, io) {
    const { createSqsClient, runReplay } = await loadReplay();
    const options = parseOptions(argv, OPTIONS);
    if (options.resume !== undefined && !options.reprocess) {
      throw new UsageError('--resume continues a --reprocess run: pass --reprocess --resume RUN.');
    }
    if (options.resume !== undefined && !RUN_ID.test(options.resume)) {
      throw new UsageError(`--resume ${options.resume}: not a run id (letters, digits, - and _).`);
    }
    const query = readHistoryQuery(options);
    const rate = readRate(options.rate);
    const windowSeconds = readDedupWindow(options['dedup-window-seconds'], io.env);
    const replayRun = options.reprocess ? (options.resume ?? newRunId()) : undefined;
    const dryRun = options['dry-run'] === true;

    const history = await openHistoryOrExplain(options, io);
    if (history === undefined) return ExitCode.FAILED;
    try {
      const verifier = new FluentSignatureVerifier({
        publicKeys: readKeys(options['public-key'], options.stack === undefined, io),
        policy: readPolicy(io.env),
      });
      if (!dryRun && history.queue === undefined) {
        io.err(
          `No queue to replay into: ${history.where}. Start the local runner (npm start) first; replay puts the events back on its queue. --dry-run works without it.`,
        );
        return ExitCode.FAILED;
      }
      const plan = planReplay(await history.store.query(query), { replayRun, windowSeconds, now: Date.now() });
      for (const skip of plan.skipped) io.err(`Left out ${skip.eventId}: ${skip.why}.`);
      if (plan.candidates.length === 0) {
        io.err(`No events to replay in ${history.where}.`);
        return plan.skipped.length === 0 ? ExitCode.OK : ExitCode.FAILED;
      }
      if (replayRun !== undefined && !dryRun) {
        io.err(
          `Replay run ${replayRun}${options.resume === undefined ? '' : ' (resumed)'}: each event's handler runs once more within it.`,
        );
      }
      const sqs =
        dryRun || history.queue === undefined
          ? undefined
          : createSqsClient({
              region: history.queue.region,
              endpoint: history.queue.endpoint === undefined ? undefined : new URL(history.queue.endpoint),
              env: io.env,
            });
      try {
        const result = await runReplay({
          store: history.store,
          verifier,
          ...(sqs === undefined || history.queue === undefined ? {} : { queue: { sqs, url: history.queue.url } }),
          candidates: plan.candidates,
          rate,
          replayRun,
          io,
        });
        return report(result, plan, { dryRun, replayRun, argv, io });
      } finally {
        sqs?.destroy();
      }
    } finally {
      await history.close();
    }
  },
};

/** Loaded when replay runs: the SQS client is an optional dependency, which a verifier-only install leaves out. */
async function loadReplay() {
  requireOptionalPackages('fluent-webhook replay');
  const [{ createSqsClient }, { runReplay }] = await Promise.all([
    import('../redrive/sqs-client'),
    import('../replay/replay-run'),
  ]);
  return { createSqsClient, runReplay };
}

function report(
  result: ReplayResult,
  plan: ReplayPlan,
  context: { dryRun: boolean; replayRun?: string; argv: readonly string[]; io: CliIo },
): ExitCodeValue {
  const { io } = context;
  for (const eventId of result.replayed) io.out(`${context.dryRun ? 'would replay' : 'replayed'} ${eventId}`);
  for (const refused of result.refused) io.err(`Refused ${refused.eventId}: ${refused.why}.`);
  for (const failed of result.failed) io.err(`Failed ${failed.eventId}: ${failed.why}.`);
  const total = plan.candidates.length;
  const handled = result.replayed.length + result.refused.length + result.failed.length;
  io.err(
    `${context.dryRun ? 'Would replay' : 'Replayed'} ${result.replayed.length} of ${total} events` +
      `${result.refused.length > 0 ? `, refused ${result.refused.length}` : ''}` +
      `${result.failed.length > 0 ? `, failed ${result.failed.length}` : ''}` +
      `${plan.skipped.length > 0 ? `, left out ${plan.skipped.length}` : ''}.`,
  );
  if (result.interrupted) {
    io.err(`Stopped by Ctrl-C after ${handled} of ${total} events. ${resumeHint(context)}`);
  }
  const complete = !result.interrupted && result.refused.length === 0 && result.failed.length === 0;
  return complete && plan.skipped.length === 0 ? ExitCode.OK : ExitCode.FAILED;
}

function resumeHint(context: { replayRun?: string; argv: readonly string[] }): string {
  const args = context.argv.filter((arg, index, all) => arg !== '--resume' && all[index - 1] !== '--resume');
  if (context.replayRun === undefined) {
    return `Run the same command again to go on: events already replayed are duplicates and do not run twice: fluent-webhook replay ${args.join(' ')}`;
  }
  return `Resume the run with: fluent-webhook replay ${args.join(' ')} --resume ${context.replayRun}`;
}

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `replay-${stamp}-${randomBytes(3).toString('hex')}`;
}

function readRate(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RATE;
  const rate = Number(value);
  if (!Number.isFinite(rate) || rate <= 0 || rate > MAX_RATE) {
    throw new UsageError(`--rate ${value}: use a number of events per second above 0, at most ${MAX_RATE}.`);
  }
  return rate;
}

/** The keys to verify with: the flag, else FLUENT_PUBLIC_KEYS, else (locally) the runner's test key. */
function readKeys(flag: readonly string[] | undefined, local: boolean, io: CliIo): FluentPublicKey[] {
  const fromEnv = io.env[SETTING_ENV_NAMES.publicKeys]?.trim();
  const localKey = localKeyPairPaths(resolveDataDir(io.env)).publicKeyPath;
  const entries = flag ?? (fromEnv ? [fromEnv] : local && existsSync(localKey) ? [localKey] : undefined);
  if (entries === undefined) {
    throw new UsageError(
      `Name the public keys to re-verify with: --public-key KEY or ${SETTING_ENV_NAMES.publicKeys} (the stack's publicKeys).`,
    );
  }
  try {
    return parseFluentPublicKeys(resolveKeySources(entries));
  } catch (error) {
    if (error instanceof ConfigurationError) throw new UsageError(`--public-key: ${error.message}`, { cause: error });
    throw error;
  }
}

function readPolicy(env: CliIo['env']): SignaturePolicyName {
  const value = env[SETTING_ENV_NAMES.signaturePolicy]?.trim();
  return value === SignaturePolicy.REQUIRE_SHA512 ? SignaturePolicy.REQUIRE_SHA512 : SignaturePolicy.PREFER_SHA512;
}
