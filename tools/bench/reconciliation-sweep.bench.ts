import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FluentApiClient, staticCredentials } from '../../lambdas/fluent-api';
import { DynamoDbHistoryStore } from '../../lambdas/history/dynamodb-history-store';
import { DynamoDbCheckpointStore } from '../../lambdas/reconcile/dynamodb-checkpoint-store';
import { reconcile } from '../../lambdas/reconcile/reconcile-run';
import { runSweep } from '../../lambdas/reconcile/sweep';
import { startDynamoDbEmulator } from '../local/dynamodb-emulator';
import { startFluentStandIn } from '../local/fluent-stand-in/fluent-stand-in';
import { emulatorClientConfig } from '../local/local-aws-config';
import { checkpointTableDefinition } from '../local/local-sweep';
import type { Bench } from './bench';

const EVENTS = 5_000;
const PAGE_SIZE = 100;
const ROUNDS = 3;
const NAME = 'OrderStatusChange';
const CLIENT = { clientId: 'bench-client', clientSecret: 'bench-secret' };

/**
 * The scheduled sweep against the plain `reconcile()` it wraps, over the same 5,000 events (half of them in the
 * history) listed by the local Fluent stand-in, with the history and the checkpoints in the local DynamoDB emulator:
 * what planning, the lease and one checkpoint write per page add to a comparison. Both are dry runs, so neither
 * sends anything. Then the history lookups alone, the way a run makes them: whole records by id (what reconcile()
 * asked before) against `entriesOf` (keys and outcome, no archive unpacked). Rounds alternate the four.
 */
export const reconciliationSweepBench: Bench = {
  name: 'reconciliation-sweep',
  async run() {
    const dynamoDb = await startDynamoDbEmulator();
    const client = new DynamoDBClient(emulatorClientConfig(dynamoDb.endpoint, 'us-east-1'));
    const standIn = await startFluentStandIn({
      host: '127.0.0.1',
      port: 0,
      account: 'ACME',
      client: CLIENT,
      logger: { info: () => undefined, warn: () => undefined },
    });
    try {
      await dynamoDb.createHistoryTable('history');
      const history = new DynamoDbHistoryStore({ client, tableName: 'history' });
      const now = Date.now();
      const from = now - 60 * 60_000;
      const entries = Array.from({ length: EVENTS }, (_, index) => ({
        event: {
          id: `bench-${index}`,
          name: NAME,
          accountId: 'ACME',
          retailerId: '1',
          entityId: String(index),
          entityRef: `HD_${index}`,
          entityType: 'ORDER',
        },
        webhook: index % 2 === 0 ? 'sent' : 'lost',
        generatedOn: new Date(from + Math.floor((index * 50 * 60_000) / EVENTS)).toISOString(),
      }));
      for (let start = 0; start < EVENTS; start += 5000) standIn.seedEvents(entries.slice(start, start + 5000));
      for (const entry of entries.filter((each) => each.webhook === 'sent')) {
        await history.write({
          record: {
            eventId: entry.event.id,
            messageId: randomUUID(),
            name: NAME,
            accountId: 'ACME',
            route: '',
            receivedAt: entry.generatedOn,
            requestId: 'bench',
            outcome: 'processed',
            attempts: 1,
            provenance: 'webhook',
            decidedAt: entry.generatedOn,
          },
          rawBody: Buffer.from(JSON.stringify(entry.event)),
          signatures: {},
        });
      }
      const fluent = new FluentApiClient({
        settings: { apiUrl: standIn.url, account: 'ACME' },
        credentials: staticCredentials(CLIENT),
      });
      const settings = { names: [NAME], lookbackMinutes: 60, settleMinutes: 0, pageSize: PAGE_SIZE };
      const times = { plain: [] as number[], sweep: [] as number[], records: [] as number[], entries: [] as number[] };
      const pages = Array.from({ length: EVENTS / PAGE_SIZE }, (_, page) =>
        entries.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map((entry) => entry.event.id),
      );
      // What DynamoDB answers, in bytes (its Content-Length), counted while the lookups alone run.
      const answered = { counting: false, bytes: { records: 0, entries: 0 }, total: 0 };
      client.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          const { headers } = result.response as { headers: Record<string, string | undefined> };
          if (answered.counting) answered.total += Number(headers['content-length'] ?? 0);
          return result;
        },
        { step: 'deserialize', name: 'countAnsweredBytes' },
      );
      /** The lookups alone, page by page as a run makes them: `lookup` once per page of ids. */
      const lookups = async (
        kind: keyof typeof answered.bytes,
        lookup: (ids: string[]) => Promise<unknown[]>,
      ): Promise<number> => {
        Object.assign(answered, { counting: true, total: 0 });
        const started = performance.now();
        let found = 0;
        for (const ids of pages) found += (await lookup(ids)).length;
        const ms = performance.now() - started;
        Object.assign(answered, { counting: false });
        answered.bytes[kind] = answered.total;
        if (found !== EVENTS / 2) throw new Error('a lookup found the wrong events');
        return ms;
      };
      let checkpointWrites = 0;
      for (let round = 0; round < ROUNDS; round += 1) {
        const plainStarted = performance.now();
        const plain = await reconcile({
          fluent,
          history,
          query: { names: [NAME], from: new Date(from).toISOString(), to: new Date(now).toISOString() },
          bounds: { pageSize: PAGE_SIZE, maxPages: Number.MAX_SAFE_INTEGER, deadline: Date.now() + 600_000 },
        });
        times.plain.push(performance.now() - plainStarted);
        if (plain.listed !== EVENTS || plain.gaps !== EVENTS / 2) throw new Error('the plain run compared wrongly');

        const table = `checkpoints-${round}`;
        await dynamoDb.createTable(checkpointTableDefinition(table));
        const store = new DynamoDbCheckpointStore({ client, tableName: table });
        const counted = {
          claim: store.claim.bind(store),
          release: store.release.bind(store),
          save: async (...args: Parameters<typeof store.save>) => {
            checkpointWrites += 1;
            return store.save(...args);
          },
        };
        const sweepStarted = performance.now();
        const sweep = await runSweep({
          sweep: 'recent',
          settings,
          fluent,
          history,
          checkpoints: counted,
          holder: `bench-${round}`,
          deadline: Date.now() + 600_000,
          now: () => new Date(now),
        });
        times.sweep.push(performance.now() - sweepStarted);
        if (sweep.listed !== EVENTS || sweep.gapsFound !== EVENTS / 2) throw new Error('the sweep compared wrongly');

        times.records.push(await lookups('records', (ids) => history.query({ eventIds: ids })));
        times.entries.push(await lookups('entries', (ids) => history.entriesOf(ids)));
      }
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      const plainMs = median(times.plain);
      const sweepMs = median(times.sweep);
      const recordsMs = median(times.records);
      const entriesMs = median(times.entries);
      return {
        title: `Comparing ${EVENTS.toLocaleString('en-US')} listed events (half of them gaps) with the history: the scheduled sweep against the plain reconcile() it wraps`,
        columns: ['events compared/s', 'ms per page of 100', '× plain'],
        rows: [
          {
            label: 'reconcile() dry run (baseline)',
            values: [(EVENTS * 1000) / plainMs, plainMs / (EVENTS / PAGE_SIZE), 1],
          },
          {
            label: 'runSweep dry run: plan, lease, a checkpoint per page',
            values: [(EVENTS * 1000) / sweepMs, sweepMs / (EVENTS / PAGE_SIZE), sweepMs / plainMs],
          },
          {
            label: 'the lookups alone, whole records by id (before entriesOf)',
            values: [(EVENTS * 1000) / recordsMs, recordsMs / (EVENTS / PAGE_SIZE), recordsMs / plainMs],
          },
          {
            label: 'the lookups alone, entriesOf (keys and outcome)',
            values: [(EVENTS * 1000) / entriesMs, entriesMs / (EVENTS / PAGE_SIZE), entriesMs / plainMs],
          },
        ],
        notes: [
          `Median of ${ROUNDS} rounds, the four alternating; the lookups alone are one call per page of ${PAGE_SIZE} ids against the same history, as a run makes them (reconcile() now makes the entriesOf one). The archived bodies are the 140-byte events above, smaller than Fluent's usual 1-5 KB: with real events whole records unpack more. Fluent is the local stand-in and DynamoDB is dynalite, both in this process on 127.0.0.1: in AWS each Fluent page and each lookup has network latency on top (the cost page assumes about 1 s per page of 100).`,
          `Bytes DynamoDB answered per lookup (one Query per id, half of them finding a delivery): ${Math.round(answered.bytes.records / EVENTS)} for whole records, ${Math.round(answered.bytes.entries / EVENTS)} for entriesOf.`,
          `Checkpoint writes per sweep: ${checkpointWrites / ROUNDS} for ${EVENTS / PAGE_SIZE} pages (one per page, one per name finished, the plan and the end).`,
        ],
      };
    } finally {
      client.destroy();
      await standIn.stop();
      await dynamoDb.stop();
    }
  },
};
