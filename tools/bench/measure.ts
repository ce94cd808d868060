import { performance } from 'node:perf_hooks';

/** Something to time: one operation, sync or async (async ones are awaited one after another). */
export interface Contender {
  readonly label: string;
  readonly operation: () => unknown;
}

export interface MeasureOptions {
  /** CPU time each contender runs before any round counts; also sizes the rounds. */
  readonly warmUpMs: number;
  readonly rounds: number;
  /** Target CPU time of one contender in one round. */
  readonly roundMs: number;
}

export const DEFAULT_MEASURE_OPTIONS: MeasureOptions = { warmUpMs: 300, rounds: 101, roundMs: 15 };

/** Operations per second of each contender in each round (same round order for every contender). */
export type RoundRates = ReadonlyMap<string, readonly number[]>;

/** Rates by this process's CPU time and by the wall clock. */
export interface MeasuredRates {
  readonly cpu: RoundRates;
  readonly wall: RoundRates;
}

/**
 * Times contenders in many short rounds, each round running every contender once in a fresh random order,
 * so that drift in machine speed and any order effect hit all of them alike; per-round ratios then compare
 * like with like. Both clocks are kept: this process's CPU time (user + system, all threads), which other
 * load on a shared machine does not inflate, and the wall clock, which also counts waiting.
 */
export async function measureRounds(
  contenders: readonly Contender[],
  options: MeasureOptions = DEFAULT_MEASURE_OPTIONS,
): Promise<MeasuredRates> {
  const callsPerRound = new Map<string, number>();
  for (const contender of contenders) {
    const warmUp = await run(contender.operation, 1, options.warmUpMs);
    callsPerRound.set(contender.label, Math.max(1, Math.round((warmUp.calls / warmUp.cpuMs) * options.roundMs)));
  }
  const cpu = new Map<string, number[]>(contenders.map((contender) => [contender.label, []]));
  const wall = new Map<string, number[]>(contenders.map((contender) => [contender.label, []]));
  for (let round = 0; round < options.rounds; round += 1) {
    for (const contender of shuffled(contenders)) {
      const { calls, cpuMs, wallMs } = await run(contender.operation, callsPerRound.get(contender.label) ?? 1, 0);
      cpu.get(contender.label)?.push((calls * 1000) / cpuMs);
      wall.get(contender.label)?.push((calls * 1000) / wallMs);
    }
  }
  return { cpu, wall };
}

export function median(values: readonly number[]): number {
  // An unknown value makes the median unknown: sorting would put it anywhere.
  if (values.some(Number.isNaN)) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Median over rounds of `subject / baseline` within each round. */
export function medianRatio(rates: RoundRates, subject: string, baseline: string): number {
  const subjectRates = rates.get(subject) ?? [];
  const baselineRates = rates.get(baseline) ?? [];
  return median(subjectRates.map((value, round) => value / (baselineRates[round] as number)));
}

/** Runs `operation` `calls` times, and then on until `minCpuMs` of CPU time has passed. */
async function run(
  operation: () => unknown,
  calls: number,
  minCpuMs: number,
): Promise<{ calls: number; cpuMs: number; wallMs: number }> {
  const probe = operation();
  const isAsync = probe instanceof Promise;
  if (isAsync) await probe;
  const startWall = performance.now();
  const start = process.cpuUsage();
  let done = 0;
  let cpuMs = 0;
  do {
    if (isAsync) {
      for (let i = 0; i < calls; i += 1) await operation();
    } else {
      for (let i = 0; i < calls; i += 1) operation();
    }
    done += calls;
    const used = process.cpuUsage(start);
    cpuMs = (used.user + used.system) / 1000;
  } while (cpuMs < minCpuMs);
  return { calls: done, cpuMs, wallMs: performance.now() - startWall };
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
