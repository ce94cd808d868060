import { KeyObject, verify as cryptoVerify } from 'node:crypto';
import { join } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { ReceiverHandler } from '../../lambdas/receiver/create-receiver-handler';
import { FLUENT_SIGNATURE_HEADER, lookupHeader } from '../../lambdas/core';
import { testKeyPair } from '../../test/support/test-keys';
import type { Bench, BenchRow } from './bench';
import { requireBundled } from './bundle';
import { DEFAULT_MEASURE_OPTIONS, measureRounds, median, medianRatio } from './measure';
import { BENCH_ACCOUNT, eventOfSize, fluentRawHeaders, logsToDevNull, webhookProxyEvent } from './webhook-request';

const KEY_SIZES = [1024, 2048] as const;
const BODY_BYTES = 1024;
const LIMIT = 'crypto.verify, cached KeyObject';
const HANDLER = 'verifying handler, queue stub';
const QUIET_HANDLER = 'same, logger and metrics no-ops';
const BARE_WRITE_HANDLER = 'same, its two lines written with bare stdout.write';

type ReceiverModule = typeof import('../../lambdas/receiver/create-receiver-handler');
type SettingsModule = typeof import('../../lambdas/core/settings');
type ObservabilityModule = typeof import('../../lambdas/shared/observability');

/** Logger and metrics that do nothing: the same handler without the cost of its log line and EMF blob. */
const noOp = (): void => undefined;
const quietLogger = { info: noOp, warn: noOp, error: noOp } as unknown as Logger;
const quietMetrics = {
  addMetric: noOp,
  addDimension: noOp,
  publishStoredMetrics: noOp,
  singleMetric: () => quietMetrics,
} as unknown as Metrics;

/**
 * A logger and metrics that write the very lines the real ones wrote for the same request, captured beforehand,
 * each with one bare `process.stdout.write`: the floor for a handler that must write a decision line and an EMF
 * blob per request, whatever builds them.
 */
function bareWriters(lines: { log: string; emf: string }): { logger: Logger; metrics: Metrics } {
  const writeLog = (): void => void process.stdout.write(lines.log);
  const metrics = {
    addMetric: noOp,
    addDimension: noOp,
    publishStoredMetrics: () => void process.stdout.write(lines.emf),
    singleMetric: () => quietMetrics,
  };
  return {
    logger: { info: writeLog, warn: writeLog, error: writeLog } as unknown as Logger,
    metrics: metrics as unknown as Metrics,
  };
}

/** The lines one call of `handler` writes to stdout, in order. */
async function capturedLines(handler: ReceiverHandler, event: Parameters<ReceiverHandler>[0]): Promise<string[]> {
  const lines: string[] = [];
  const stdout = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0) as typeof process.stdout.write;
  try {
    await handler(event);
  } finally {
    process.stdout.write = stdout;
  }
  return lines;
}

/** An SQS client that answers SendMessage at once: what is left is the handler's own work. */
const queueStub = { send: async () => ({ MessageId: '5fea7756-0ea4-451a-a703-a558b933e274' }) } as unknown as SQSClient;

export const handlerBench: Bench = {
  name: 'handler',
  async run() {
    // As deployed: bundled by esbuild, not through tsx's per-file transform.
    const lambdas = join(__dirname, '..', '..', 'lambdas');
    const { createReceiverHandler } = requireBundled<ReceiverModule>(
      join(lambdas, 'receiver', 'create-receiver-handler.ts'),
    );
    const { parseReceiverSettings } = requireBundled<SettingsModule>(join(lambdas, 'core', 'settings.ts'));
    const { createLogger, createMetrics } = requireBundled<ObservabilityModule>(
      join(lambdas, 'shared', 'observability.ts'),
    );
    const rows: BenchRow[] = [];
    let lineBytes = { log: 0, emf: 0 };

    for (const bits of KEY_SIZES) {
      const keys = testKeyPair(bits, 'bench');
      const body = eventOfSize(BODY_BYTES);
      const event = webhookProxyEvent(body, fluentRawHeaders(body, keys));
      const signature = Buffer.from(lookupHeader(FLUENT_SIGNATURE_HEADER, event.headers).values[0] as string, 'base64');
      const cachedKey: KeyObject = keys.parsed.keyObject;
      const dependencies = {
        settings: parseReceiverSettings({ publicKeys: keys.publicKeyBase64, accountIds: BENCH_ACCOUNT }),
        sqsClient: queueStub,
        queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/fluent-webhooks',
      };
      const handler: ReceiverHandler = createReceiverHandler({
        ...dependencies,
        logger: createLogger('receiver'),
        metrics: createMetrics('receiver'),
      });
      const quietHandler: ReceiverHandler = createReceiverHandler({
        ...dependencies,
        logger: quietLogger,
        metrics: quietMetrics,
      });
      const [log, emf, ...more] = await capturedLines(handler, event);
      if (log === undefined || emf === undefined || more.length > 0 || !emf.includes('"_aws"')) {
        throw new Error('The handler did not write exactly one log line and then one EMF blob.');
      }
      const bareWriteHandler: ReceiverHandler = createReceiverHandler({
        ...dependencies,
        ...bareWriters({ log, emf }),
      });
      lineBytes = { log: Buffer.byteLength(log), emf: Buffer.byteLength(emf) };

      const restoreOutput = logsToDevNull();
      try {
        // Time only what gives the right answer.
        if (!cryptoVerify('sha512', body, cachedKey, signature))
          throw new Error('crypto.verify rejected a valid signature');
        for (const subject of [handler, quietHandler, bareWriteHandler]) {
          const answer = await subject(event);
          if (answer.statusCode !== 200) throw new Error(`The handler answered ${answer.statusCode}: ${answer.body}`);
        }
        const contenders = [
          { label: LIMIT, operation: () => cryptoVerify('sha512', body, cachedKey, signature) },
          { label: HANDLER, operation: () => handler(event) },
          { label: QUIET_HANDLER, operation: () => quietHandler(event) },
          { label: BARE_WRITE_HANDLER, operation: () => bareWriteHandler(event) },
        ];
        const { cpu, wall } = await measureRounds(contenders);
        const micros = (label: string) => 1e6 / median(cpu.get(label) ?? []);
        for (const { label } of contenders) {
          rows.push({
            label: `${bits}-bit  ${label}`,
            values: [
              micros(label),
              1 / medianRatio(cpu, label, LIMIT),
              1e6 / median(wall.get(label) ?? []),
              1 / medianRatio(wall, label, LIMIT),
            ],
          });
        }
        // Where the handler's time goes beyond the verification, by difference of the medians above.
        const share = (us: number) => [us, us / micros(LIMIT), '', ''];
        rows.push({
          label: `${bits}-bit    of which parsing, checks, message building`,
          values: share(micros(QUIET_HANDLER) - micros(LIMIT)),
        });
        rows.push({
          label: `${bits}-bit    of which the log line and EMF metrics`,
          values: share(micros(HANDLER) - micros(QUIET_HANDLER)),
        });
        rows.push({
          label: `${bits}-bit      writing the two lines (bare stdout.write)`,
          values: share(micros(BARE_WRITE_HANDLER) - micros(QUIET_HANDLER)),
        });
        rows.push({
          label: `${bits}-bit      Powertools building them`,
          values: share(micros(HANDLER) - micros(BARE_WRITE_HANDLER)),
        });
      } finally {
        restoreOutput();
      }
    }

    const { rounds, roundMs } = DEFAULT_MEASURE_OPTIONS;
    return {
      title: `CPU time per request of the verifying handler, as a multiple of one signature verification (${BODY_BYTES}-byte event)`,
      columns: ['µs CPU', '× verify', 'µs wall', '× verify (wall)'],
      rows,
      notes: [
        `Median of ${rounds} rounds of about ${roundMs} ms CPU each, contenders in a fresh random order every round; "× verify" is the median per-round ratio to the raw crypto.verify of the same signature with a cached KeyObject.`,
        'The handler runs bundled by esbuild, with its real Powertools logger and metrics (one decision line and one EMF blob per request, written to /dev/null) and an SQS client stub that answers at once. The event is the REST proxy event the local gateway builds for a Fluent request (base64 body, 9 headers, both signatures).',
        `"${BARE_WRITE_HANDLER}": the same handler, its logger and metrics replaced by one process.stdout.write each of the exact lines the real ones wrote for this request (${lineBytes.log} and ${lineBytes.emf} bytes), captured beforehand. It is the floor for one decision line and one EMF blob per request; the rows below split the real handler's extra time into writing those lines and Powertools building them (Logger: attribute merging, timestamp, JSON.stringify with its replacer; Metrics: the EMF document).`,
        'Fluent signs with 1024-bit keys today; with larger keys the verification dominates even more.',
      ],
    };
  },
};
