import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signFluentPayload } from '../../lambdas/core';
import { Ordering, type OrderingName } from '../../lambdas/contract/ordering';
import { RECORD_FILE_ENV } from '../../test/e2e/fixtures/recording-handlers';
import { RunnerProcess, startRunnerProcess } from '../../test/e2e/local-runner-process';
import { fluentEventBody } from '../../test/support/factories';
import { judgeOrdering, readHandlerRuns } from '../../test/support/handler-runs';
import { percentile } from '../load/send-webhooks';
import type { Bench, BenchRow } from './bench';
import { waitUntil } from '../../test/support/wait-until';

const HANDLERS = join(__dirname, '..', '..', 'test', 'e2e', 'fixtures', 'recording-handlers.ts');
const DRAIN_TIMEOUT_MS = 120_000;
/** The poison measurement: short, so it ends in seconds; the deployed figure follows from the same formula. */
const POISON_VISIBILITY_SECONDS = 2;
const POISON_MAX_RECEIVE_COUNT = 3;

interface Workload {
  readonly label: string;
  readonly orders: number;
  readonly eventsPerOrder: number;
  /** The handler's sleep bound, in milliseconds (0: no work). */
  readonly maxSleepMs: number;
}

const WORKLOADS: readonly Workload[] = [
  { label: '6 orders × 6 events, handler sleeps 0–250 ms', orders: 6, eventsPerOrder: 6, maxSleepMs: 250 },
  { label: '30 orders × 10 events, handler does no work', orders: 30, eventsPerOrder: 10, maxSleepMs: 0 },
];

interface Sender {
  readonly runner: RunnerProcess;
  readonly recordFile: string;
  readonly privateKeyPem: string;
}

/** Posts one signed event and resolves with the time it was accepted (same clock as the handlers'). */
async function post(sender: Sender, body: Buffer): Promise<number> {
  const response = await fetch(`${sender.runner.webhookBaseUrl}orders`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...signFluentPayload(body, sender.privateKeyPem) },
    body,
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`A webhook was answered ${response.status}.`);
  return performance.timeOrigin + performance.now();
}

async function waitForRuns(sender: Sender, ids: ReadonlySet<string>) {
  const runs = () => readHandlerRuns(sender.recordFile).filter((run) => ids.has(run.eventId));
  await waitUntil(() => runs().length >= ids.size, DRAIN_TIMEOUT_MS, `all ${ids.size} events were handled`);
  return runs();
}

/** Orders concurrently, each order's events one after another; then waits until every handler has run. */
async function runWorkload(sender: Sender, workload: Workload, tag: string): Promise<BenchRow> {
  const accepted = new Map<string, number>();
  const started = performance.timeOrigin + performance.now();
  await Promise.all(
    Array.from({ length: workload.orders }, async (_, order) => {
      const ref = `HD_${tag}_${order}`;
      for (let seq = 1; seq <= workload.eventsPerOrder; seq += 1) {
        const id = randomUUID();
        const body = fluentEventBody({
          id,
          entityRef: ref,
          rootEntityRef: ref,
          attributes: { seq, maxSleepMs: workload.maxSleepMs },
        });
        accepted.set(id, await post(sender, body));
      }
    }),
  );
  const runs = await waitForRuns(sender, new Set(accepted.keys()));
  const finished = Math.max(...runs.map((run) => run.end));
  const waits = runs.map((run) => run.start - (accepted.get(run.eventId) ?? run.start));
  const verdict = judgeOrdering(runs);
  const seconds = (finished - started) / 1000;
  return {
    label: workload.label,
    values: [seconds, runs.length / seconds, percentile(waits, 0.5), percentile(waits, 0.95), verdict.violations],
  };
}

/**
 * A poison event first in its order, then one good event: how long the good one waits for the poison's retries
 * to end in the dead-letter queue (per-entity), against not at all (unordered).
 */
async function poisonDelay(sender: Sender, tag: string): Promise<number> {
  const ref = `HD_${tag}_poison`;
  const goodId = randomUUID();
  const poisonAt = await post(
    sender,
    fluentEventBody({ id: randomUUID(), entityRef: ref, rootEntityRef: ref, attributes: { seq: 1, poison: true } }),
  );
  await post(
    sender,
    fluentEventBody({ id: goodId, entityRef: ref, rootEntityRef: ref, attributes: { seq: 2, maxSleepMs: 0 } }),
  );
  const [run] = await waitForRuns(sender, new Set([goodId]));
  return ((run?.start ?? poisonAt) - poisonAt) / 1000;
}

async function measureMode(ordering: OrderingName): Promise<{ rows: BenchRow[]; poisonSeconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), `fluent-bench-ordering-${ordering}-`));
  const recordFile = join(dir, 'runs.jsonl');
  const runner = await startRunnerProcess({
    LOCAL_DATA_DIR: join(dir, 'data'),
    ORDERING: ordering,
    LOCAL_HANDLERS_MODULE: HANDLERS,
    [RECORD_FILE_ENV]: recordFile,
    VISIBILITY_TIMEOUT_SECONDS: String(POISON_VISIBILITY_SECONDS),
    MAX_RECEIVE_COUNT: String(POISON_MAX_RECEIVE_COUNT),
  });
  try {
    const sender = {
      runner,
      recordFile,
      privateKeyPem: readFileSync(join(dir, 'data', 'keys', 'private-key.pem'), 'utf8'),
    };
    await runWorkload(sender, { label: 'warm-up', orders: 4, eventsPerOrder: 5, maxSleepMs: 0 }, 'warm');
    const rows: BenchRow[] = [];
    for (const [index, workload] of WORKLOADS.entries()) {
      const row = await runWorkload(sender, workload, `w${index}`);
      rows.push({ ...row, label: `${ordering}: ${row.label}` });
    }
    return { rows, poisonSeconds: await poisonDelay(sender, 'p') };
  } finally {
    await runner.stop(30_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

export const orderingBench: Bench = {
  name: 'ordering',
  async run() {
    const unordered = await measureMode(Ordering.UNORDERED);
    const perEntity = await measureMode(Ordering.PER_ENTITY);
    const rows: BenchRow[] = [];
    for (const [index, row] of unordered.rows.entries()) {
      const ordered = perEntity.rows[index] as BenchRow;
      const throughput = (r: BenchRow) => Number(r.values[1]);
      rows.push(
        { ...row, values: [...row.values, 1] },
        { ...ordered, values: [...ordered.values, throughput(ordered) / throughput(row)] },
      );
    }
    rows.push(
      {
        label: 'unordered: the event after a poison event of its order waits',
        values: [unordered.poisonSeconds, '', '', '', '', ''],
      },
      {
        label: `per-entity: the same (poison retried ${POISON_MAX_RECEIVE_COUNT} × visibility ${POISON_VISIBILITY_SECONDS} s, then DLQ)`,
        values: [perEntity.poisonSeconds, '', '', '', '', ''],
      },
    );
    return {
      title:
        'The local runner unordered and with ORDERING=per-entity: orders sent concurrently, each order’s events one after another',
      columns: ['wall s', 'events/s', 'wait p50 ms', 'wait p95 ms', 'out of order', '× unordered'],
      rows,
      notes: [
        'Each mode is one `fluent-webhook local` process (fauxqs, dynalite, the real receiver and consumer) with handlers that record their own start and end times (test/e2e/fixtures/recording-handlers.ts); a warm-up workload runs first.',
        '"wall s" runs from the first send to the last handler’s end; "wait" is from a webhook’s 200 to its handler’s start; "out of order" counts an order’s event starting before the previous one ended or ahead of an event sent before it (judgeOrdering); "× unordered" is events/s against the unordered run of the same workload.',
        'Unordered runs a batch’s records concurrently (one batch at a time); per-entity runs one invocation per message group, up to 5 at once, each group’s records one after another. fauxqs hands out one message per group per receive.',
        `Poison rows: seconds from the poison event's 200 to the start of the next event of its order, with VISIBILITY_TIMEOUT_SECONDS=${POISON_VISIBILITY_SECONDS} and MAX_RECEIVE_COUNT=${POISON_MAX_RECEIVE_COUNT}; deployed, the wait is about maxReceiveCount × the queue's visibility timeout (5 × 180 s by default).`,
      ],
    };
  },
};
