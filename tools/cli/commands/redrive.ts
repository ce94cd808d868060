import { DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS } from '../../../lambdas/core/settings';
import { requireOptionalPackages } from '../../../lambdas/contract/optional-packages';
import { CliCommand } from '../command';
import { MAX_MOVE_MESSAGES_PER_SECOND } from '../redrive/move-rate';

export const redriveCommand: CliCommand = {
  name: 'redrive',
  summary: 'Move the messages in the dead-letter queue back to the queue, once their cause is fixed.',
  usage: [
    'Usage: fluent-webhook redrive (--dlq-arn ARN | --dlq-url URL) [options]',
    '       fluent-webhook redrive (--dlq-arn ARN | --dlq-url URL) --status',
    '       fluent-webhook redrive --cancel HANDLE',
    '',
    'Starts an SQS message move task (what "Start DLQ redrive" does in the SQS console) that moves every',
    'message in the dead-letter queue back to the queue it came from. Fix the cause first (keys, handler code):',
    'a message that fails again returns to the DLQ after maxReceiveCount receives. Redriven events that were',
    "already processed are skipped by the consumer's de-duplication.",
    '',
    'Options:',
    "  --dlq-arn ARN           the dead-letter queue's ARN (a stack output)",
    '  --dlq-url URL           or its URL; the ARN is then read with GetQueueAttributes',
    '  --destination-arn ARN   move to this queue instead of back to the source queue',
    `  --max-per-second N      fixed move rate, 1 to ${MAX_MOVE_MESSAGES_PER_SECOND} (default: SQS picks it from the backlog)`,
    "  --status                list the DLQ's recent move tasks instead of starting one",
    '  --cancel HANDLE         cancel a running move task (the handle printed at start and by --status)',
    '  --mode move|copy        move (default): the server-side move task.',
    '                          copy: receive each message, send a copy, and delete the original only after the',
    "                          send succeeded; for SQS endpoints without move tasks (the local runner's emulator)",
    "  --destination-url URL   copy mode: the queue to send to (default: the DLQ's only source queue, if SQS can list it)",
    "  --max-messages N        copy mode: stop after N messages (default: the DLQ's message count at the start)",
    "  --endpoint URL          SQS endpoint, for example the local runner's http://127.0.0.1:<port>",
    "  --dedup-window-seconds N  the consumer's de-duplication window (default: IDEMPOTENCY_EXPIRY_SECONDS, else",
    `                          ${DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS}). A message first received longer ago than that may have been processed`,
    '                          already and would run again: copy mode leaves such messages in the DLQ, and move mode',
    '                          refuses a DLQ whose retention exceeds the window, since a move task cannot skip them',
    '  --force                 redrive messages older than the de-duplication window anyway',
    '  --region REGION         AWS region (default: the one in the ARN or URL, else AWS_REGION or your profile)',
  ].join('\n'),

  async run(argv, io) {
    // The SQS client is an optional dependency: say what to install before loading anything that needs it.
    requireOptionalPackages('fluent-webhook redrive');
    const { runRedrive } = await import('../redrive/run-redrive');
    return runRedrive(argv, io);
  },
};
