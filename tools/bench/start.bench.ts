import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../lambdas/contract/package-root';
import { HANDLERS_BUNDLE_DIR } from '../local/handlers-bundle-cache';
import { isRunning, LOCK_FILE } from '../local/data-dir-lock';
import type { Bench, BenchRow } from './bench';
import { waitUntil } from '../../test/support/wait-until';

const READY = '"local receiver ready"';
const WARM_RUNS = 5;
/** One start that takes longer than this is stopped and the benchmark fails (a hung start, not a slow one). */
const START_LIMIT_MS = 120_000;
/** Where bin/npm-start.cjs keeps its bundle and V8's code cache. */
const START_CACHE = join(PACKAGE_ROOT, 'node_modules', '.cache', 'fluent-webhook-receiver');

/**
 * Seconds from spawning `command` (in its own process group) until `done(output)` holds, or without `done` until it
 * exits, at most START_LIMIT_MS; then stops the group and waits for it to exit, so runs do not overlap.
 */
async function secondsUntil(command: string, dataDir: string, done?: (output: string) => boolean): Promise<number> {
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
  let limit: NodeJS.Timeout | undefined;
  try {
    return await new Promise<number>((resolve, reject) => {
      const seconds = () => (performance.now() - started) / 1000;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (done?.(output)) resolve(seconds());
      });
      void exited.then(() =>
        done === undefined
          ? resolve(seconds())
          : reject(new Error(`${command} exited before it was ready: ${output.slice(-400)}`)),
      );
      limit = setTimeout(
        () => reject(new Error(`${command} was not ready within ${START_LIMIT_MS} ms`)),
        START_LIMIT_MS,
      );
    });
  } finally {
    clearTimeout(limit);
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // Already gone.
    }
    await exited;
    await runnerGone(dataDir);
  }
}

/**
 * Resolves once no process holds the data folder: npm can end before the runner it started has, so the next start
 * would find the folder taken. Bounded like a start.
 */
async function runnerGone(dataDir: string): Promise<void> {
  const holder = (): number | undefined => {
    try {
      return Number(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim());
    } catch {
      return undefined;
    }
  };
  const gone = (): boolean => {
    const pid = holder();
    return pid === undefined || !isRunning(pid);
  };
  await waitUntil(gone, START_LIMIT_MS, `the runner let go of ${dataDir}`);
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * How long `npm start` takes to be ready: first after a source change (the CLI's esbuild bundle, V8's code cache and
 * the handlers' bundle cleared) and warm, and what it runs without npm. The baseline is Node.js starting and exiting
 * with nothing to do (`node -e 0`), measured in the same run, so the ratio says how many empty Node starts a ready
 * runner costs.
 */
export const startBench: Bench = {
  name: 'start',
  async run() {
    const dataDir = mkdtempSync(join(tmpdir(), 'fluent-webhook-bench-start-'));
    const ready = (command: string) => secondsUntil(command, dataDir, (output) => output.includes(READY));
    const warm = async (command: string) => median(await sequence(WARM_RUNS, () => ready(command)));
    try {
      const baseline = median(await sequence(WARM_RUNS, () => secondsUntil(`"${process.execPath}" -e 0`, dataDir)));
      // The first start of a data folder creates the key pair and the tables: not part of what is compared.
      await ready('npm start --silent');
      rmSync(START_CACHE, { recursive: true, force: true });
      rmSync(join(dataDir, HANDLERS_BUNDLE_DIR), { recursive: true, force: true });
      const first = await ready('npm start --silent');
      const npmStart = await warm('npm start --silent');
      const direct = await warm(`"${process.execPath}" bin/npm-start.cjs`);
      const row = (label: string, seconds: number): BenchRow => ({ label, values: [seconds, seconds / baseline] });
      return {
        title: 'Seconds from `npm start` to the ready line (an existing data folder)',
        columns: ['seconds', '× node -e 0'],
        rows: [
          row(`node -e 0 (baseline, median of ${WARM_RUNS})`, baseline),
          row('npm start, first after a source change', first),
          row(`npm start, warm (median of ${WARM_RUNS})`, npmStart),
          row(`node bin/npm-start.cjs, warm, without npm (median of ${WARM_RUNS})`, direct),
        ],
        notes: [
          'Wall-clock time from spawning the command to the ready line on its stdout; the machine is shared, so read the ratios.',
          '"first after a source change" clears the CLI bundle and V8 code cache of bin/npm-start.cjs and the handlers bundle.',
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
