import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../lib/internal/package-root';
import type { Bench, BenchRow } from './bench';

const READY = '"local receiver ready"';
const WARM_RUNS = 3;
/** Where bin/npm-start.cjs keeps its bundle and V8's code cache. */
const START_CACHE = join(PACKAGE_ROOT, 'node_modules', '.cache', 'fluent-webhook-receiver');

/**
 * Seconds from spawning `command` (in its own process group) to the runner's ready line; then stops the group and
 * waits for it to exit, so runs do not overlap.
 */
async function secondsToReady(command: string, dataDir: string): Promise<number> {
  const started = performance.now();
  const child = spawn(command, {
    shell: true,
    cwd: PACKAGE_ROOT,
    detached: true,
    env: { ...process.env, PORT: '0', LOCAL_DATA_DIR: dataDir, LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let output = '';
  const ready = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes(READY)) resolve((performance.now() - started) / 1000);
    });
    void exited.then(() => reject(new Error(`${command} exited before it was ready: ${output.slice(-400)}`)));
  });
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
  return ready;
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * How long `npm start` takes to be ready: the whole `tsc` build plus the runner (what it ran before), and the
 * esbuild-bundled start, first after a source change (bundle and code cache cleared) and warm. The baseline is the
 * runner alone from the tsc build in dist/ (`fluent-webhook local`), measured in the same run.
 */
export const startBench: Bench = {
  name: 'start',
  async run() {
    const dataDir = mkdtempSync(join(tmpdir(), 'fluent-webhook-bench-start-'));
    try {
      // The first start of a data folder creates the key pair and the tables: not part of what is compared.
      await secondsToReady('node bin/fluent-webhook.cjs local', dataDir);
      const baseline = median(
        await sequence(WARM_RUNS, () => secondsToReady('node bin/fluent-webhook.cjs local', dataDir)),
      );
      const before = await secondsToReady('npm run build --silent && node bin/fluent-webhook.cjs local', dataDir);
      rmSync(START_CACHE, { recursive: true, force: true });
      const first = await secondsToReady('npm start --silent', dataDir);
      const warm = median(await sequence(WARM_RUNS, () => secondsToReady('npm start --silent', dataDir)));
      const row = (label: string, seconds: number): BenchRow => ({ label, values: [seconds, seconds / baseline] });
      return {
        title: 'Seconds from `npm start` to the ready line (an existing data folder)',
        columns: ['seconds', '× runner alone'],
        rows: [
          row('runner alone: node bin/fluent-webhook.cjs local (baseline, median of 3)', baseline),
          row('before: npm run build && fluent-webhook local', before),
          row('npm start, first after a source change', first),
          row(`npm start, warm (median of ${WARM_RUNS})`, warm),
        ],
        notes: [
          'Wall-clock time, including npm itself; the machine is shared, so read the ratios.',
          '"first after a source change" clears the esbuild bundle and V8 code cache of bin/npm-start.cjs.',
        ],
      };
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

async function sequence<T>(times: number, run: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let index = 0; index < times; index += 1) results.push(await run());
  return results;
}
