import { performance } from 'node:perf_hooks';
import { LOCAL_ENV_NAMES } from '../local/local-config';
import { SETTING_ENV_NAMES } from '../../lambdas/core';
import { replayCommand } from '../cli/commands/replay';
import type { CliIo } from '../cli/cli-io';
import { emptyOutcomes, signedEvents, startLoadTarget, tallyLogLines } from '../load/load-runner';
import { sendWebhooks } from '../load/send-webhooks';
import type { Bench } from './bench';
import { waitUntil } from '../../test/support/wait-until';

const EVENTS = 10_000;
const CONCURRENCY = 50;
/** The highest `--rate` replay takes, far above what the runner takes: the runner sets the pace. */
const REPLAY_RATE = 3000;
/** Each pass must finish within this, or the bench stops and says so. */
const PASS_TIMEOUT_MS = 10 * 60_000;

/**
 * A local replay of 10,000 archived events: the events go through the runner once as webhooks (so the consumer
 * archives them, as it does every event), then `fluent-webhook replay --reprocess` (the command itself, in this
 * process) re-verifies each archived copy and puts it back on the queue, and the consumer runs each once more. The
 * first pass is the baseline: the same events, the same runner, the same consumer.
 */
export const replayBench: Bench = {
  name: 'replay',
  async run() {
    const target = await startLoadTarget();
    try {
      const outcomes = emptyOutcomes();
      let read = 0;
      const processedTwice = (ids: readonly string[], times: number) => async (): Promise<number> => {
        const processed = (): boolean => {
          read = tallyLogLines(target.runner.lines(), read, outcomes);
          return ids.every((id) => (outcomes.processed.get(id) ?? 0) >= times);
        };
        await waitUntil(processed, PASS_TIMEOUT_MS, `all ${ids.length} events were processed ${times} time(s)`);
        return performance.now();
      };

      const webhooks = signedEvents(target.keys, EVENTS, 'archived');
      const ids = webhooks.map((webhook) => webhook.id);
      const from = new Date(Date.now() - 1000).toISOString();
      const firstStarted = performance.now();
      const sent = await sendWebhooks(target.webhookUrl, webhooks, CONCURRENCY);
      const refused = sent.answers.filter((answer) => answer.status !== 200).length;
      if (refused > 0) throw new Error(`${refused} of ${EVENTS} webhooks were not accepted.`);
      const firstDone = await processedTwice(ids, 1)();
      const to = new Date().toISOString();

      const lines: string[] = [];
      const io: CliIo = {
        out: () => undefined,
        err: (line) => lines.push(line),
        env: {
          ...process.env,
          [LOCAL_ENV_NAMES.dataDir]: target.dataDir,
          [SETTING_ENV_NAMES.publicKeys]: target.keys.publicKeyBase64,
        },
      };
      const replayStarted = performance.now();
      const code = await replayCommand.run(
        ['--from', from, '--to', to, '--reprocess', '--rate', String(REPLAY_RATE)],
        io,
      );
      const replaySent = performance.now();
      if (code !== 0) throw new Error(`replay exited ${code}: ${lines.join('\n')}`);
      const replayDone = await processedTwice(ids, 2)();

      const perSecond = (ms: number) => (EVENTS * 1000) / ms;
      const first = perSecond(firstDone - firstStarted);
      const replayed = perSecond(replayDone - replayStarted);
      return {
        title: `A local replay of ${EVENTS.toLocaleString('en-US')} archived events through the runner (npm start), against the same events arriving as webhooks`,
        columns: ['events/s', 's', '× first pass'],
        rows: [
          {
            label: `first pass: ${EVENTS.toLocaleString('en-US')} webhooks over HTTP, until all processed`,
            values: [first, (firstDone - firstStarted) / 1000, 1],
          },
          {
            label: 'replay --reprocess: read, re-verify and send each archived copy',
            values: [perSecond(replaySent - replayStarted), (replaySent - replayStarted) / 1000, ''],
          },
          {
            label: 'replay --reprocess: from the command start until all processed again',
            values: [replayed, (replayDone - replayStarted) / 1000, replayed / first],
          },
        ],
        notes: [
          `${EVENTS.toLocaleString('en-US')} distinct signed 1 KiB-ish events, sent ${CONCURRENCY} at a time by a keep-alive client; the consumer archives each. Then the replay command runs in this process against the runner's data folder with --reprocess and --rate ${REPLAY_RATE} (so the runner sets the pace), re-verifying every copy against the runner's key; each event's handler runs once more.`,
          'Both passes are counted from the runner\'s own decision lines ("processed", once per event per pass). The runner is one Node.js process (gateway, receiver, fauxqs, poller, consumer, dynalite on disk).',
        ],
      };
    } finally {
      await target.stop();
    }
  },
};
