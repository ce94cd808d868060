import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReceiverSettings, settingsToEnv } from '../../lambdas/core';
import { RuntimeEnv } from '../../lambdas/contract/environment';
import { RECEIVER_ENTRY } from '../../lib/receiver/fluent-webhook-receiver';
import { CONSUMER_ENTRY, consumerBundleSource } from '../../lib/consumer/consumer-entry';
import { repositoryBundleSource } from '../../lib/internal/lambda-bundling';
import { testKeyPair } from '../../test/support/test-keys';
import type { Bench } from './bench';
import { buildBundle, BuiltBundle, constructBuildOptions } from './lambda-bundles';
import { median, medianRatio } from './measure';
import { BENCH_ACCOUNT } from './webhook-request';

const RUNS = 21;
const BASELINE = '@aws-sdk/client-sqs alone';

/**
 * Loads a bundle in a fresh Node.js process and prints how long `require` took, in milliseconds: wall-clock, and the
 * process's CPU time (user and system), which other work on a shared machine disturbs far less.
 */
const IMPORT_TIMER = `const start = process.hrtime.bigint(); const cpu = process.cpuUsage(); require(process.argv[1]); const used = process.cpuUsage(cpu); process.stdout.write(JSON.stringify([Number(process.hrtime.bigint() - start) / 1e6, (used.user + used.system) / 1e3]));`;

export const coldStartBench: Bench = {
  name: 'cold-start',
  async run() {
    const outDir = mkdtempSync(join(tmpdir(), 'fluent-webhook-cold-start-'));
    try {
      const bundles: BuiltBundle[] = [
        buildBundle(BASELINE, outDir, 'sqs-client-only', { contents: `export * from '@aws-sdk/client-sqs';` }),
        buildBundle('@aws-sdk/client-sqs, one SQSClient created', outDir, 'sqs-client-created', {
          contents: `import { SQSClient } from '@aws-sdk/client-sqs';\nexport const client = new SQSClient({});`,
        }),
        buildBundle(`verifying Lambda (${RECEIVER_ENTRY})`, outDir, 'receiver', {
          source: repositoryBundleSource(RECEIVER_ENTRY),
        }),
        buildBundle(`consumer Lambda (${CONSUMER_ENTRY})`, outDir, 'consumer', {
          source: consumerBundleSource(undefined),
        }),
      ].flatMap((bundle) => [bundle, ...bundle.lazyModules]);
      // What the stack sets on the functions: both handlers build their dependencies when imported.
      const keys = testKeyPair(1024, 'bench');
      const env = {
        PATH: process.env.PATH ?? '',
        // The SDK warns that Node.js 20 support ends; Lambda runs the construct's newer runtime, which it does not warn about.
        NODE_NO_WARNINGS: '1',
        AWS_REGION: 'eu-west-1',
        NODE_OPTIONS: constructBuildOptions().nodeOptions,
        ...settingsToEnv(parseReceiverSettings({ publicKeys: keys.publicKeyBase64, accountIds: BENCH_ACCOUNT })),
        [RuntimeEnv.QUEUE_URL]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/fluent-webhooks',
        [RuntimeEnv.IDEMPOTENCY_TABLE_NAME]: 'fluent-webhook-idempotency',
        [RuntimeEnv.HISTORY_TABLE_NAME]: 'fluent-webhook-history',
        [RuntimeEnv.HISTORY_BUCKET_NAME]: 'fluent-webhook-history-bodies',
      };
      const importMs = (bundle: BuiltBundle): [wall: number, cpu: number] =>
        JSON.parse(
          execFileSync(process.execPath, ['-e', IMPORT_TIMER, bundle.file], {
            env,
            encoding: 'utf8',
            timeout: 30_000,
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
        ) as [number, number];

      // Round-robin, so drift in machine load hits every bundle alike; ratios are taken within each round.
      const wallMs = new Map<string, number[]>(bundles.map((bundle) => [bundle.label, []]));
      const cpuMs = new Map<string, number[]>(bundles.map((bundle) => [bundle.label, []]));
      for (let round = 0; round < RUNS; round += 1) {
        for (const bundle of bundles) {
          const [wall, cpu] = importMs(bundle);
          wallMs.get(bundle.label)?.push(wall);
          cpuMs.get(bundle.label)?.push(cpu);
        }
      }
      return {
        title: `Lambda bundles as the construct builds them, and the time to import each in a fresh Node.js process (target for the verifying Lambda: ≤ 1.30 × ${BASELINE})`,
        columns: ['KiB', 'map KiB', 'zipped KiB', 'import ms', `× ${BASELINE}`, 'import CPU ms', '× (CPU)'],
        rows: bundles.map((bundle) => ({
          label: bundle.label,
          values: [
            bundle.bytes / 1024,
            bundle.mapBytes / 1024,
            bundle.zippedBytes / 1024,
            median(wallMs.get(bundle.label) ?? []),
            medianRatio(wallMs, bundle.label, BASELINE),
            median(cpuMs.get(bundle.label) ?? []),
            medianRatio(cpuMs, bundle.label, BASELINE),
          ],
        })),
        notes: [
          `esbuild with the construct's options (${describeOptions()}), the AWS SDK bundled in. "zipped" is gzip of code and source map, close to what the deployment package holds.`,
          `A row "loaded when needed" is a file the construct bundles next to the Lambda's index.js, which imports it only on first use (the consumer's S3 client, for a body too large for its history item): not part of the cold start; its import ms is what that first use adds once per Lambda instance.`,
          `"import ms" is the median over ${RUNS} fresh processes of require() of the bundle, timed inside the process (wall-clock; "CPU ms" the process's user and system CPU time over the same require, less disturbed by other work on the machine), with the function's environment (keys, allow-list, queue URL, NODE_OPTIONS=${constructBuildOptions().nodeOptions}); handlers parse their settings and create their clients at import. Node.js startup itself is the same for all and not counted. Ratios are medians of per-round ratios.`,
          `Measured under Node.js ${process.version} on this machine; Lambda runs the runtime the construct sets, on its own CPUs, and adds its own init overhead on top.`,
        ],
      };
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  },
};

function describeOptions(): string {
  const { target, format, minify, sourcemap, sourcesContent } = constructBuildOptions().options;
  return `target ${String(target)}, ${String(format)}, minify ${String(minify)}, source maps ${String(sourcemap)}, sources content ${String(sourcesContent)}`;
}
