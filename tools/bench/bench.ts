/** One line of a benchmark's result table: a label and one value per column. */
export interface BenchRow {
  readonly label: string;
  /** Numbers are printed as integers with separators from 100 up, with two decimals below. */
  readonly values: ReadonlyArray<number | string>;
}

/** What one benchmark file reports: a table and the notes needed to read it fairly. */
export interface BenchReport {
  readonly title: string;
  /** Headers of the value columns (the label column has none). */
  readonly columns: readonly string[];
  readonly rows: readonly BenchRow[];
  /** How it was measured and anything a reader must know to compare the numbers. */
  readonly notes: readonly string[];
}

/**
 * One benchmark. Add one by writing `tools/bench/<name>.bench.ts` exporting one of these and listing it in
 * `tools/bench/registry.ts`. Benchmarks print numbers and never assert timings; `npm run bench` runs them all.
 */
export interface Bench {
  readonly name: string;
  run(): Promise<BenchReport>;
}
