/** Everything written to stdout and stderr (Powertools logs and EMF metrics) while it is installed. */
export interface CapturedOutput {
  readonly text: () => string;
  /** The JSON lines written, parsed; non-JSON lines are skipped. */
  readonly records: () => Array<Record<string, unknown>>;
  /** Forgets what was written so far, for suites that judge one case at a time. */
  readonly clear: () => void;
  readonly restore: () => void;
}

export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const record = (chunk: unknown): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(record);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(record);
  const text = (): string => chunks.join('');
  return {
    text,
    records: () =>
      text()
        .split('\n')
        .filter((line) => line.trim().startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    clear: () => {
      chunks.length = 0;
    },
    restore: () => {
      stdout.mockRestore();
      stderr.mockRestore();
    },
  };
}

/** The log lines that record a decision (one per request). */
export function decisionLines(output: CapturedOutput): Array<Record<string, unknown>> {
  return output.records().filter((line) => 'outcome' in line);
}

/** EMF metric blobs: metric name, value and the dimensions they were emitted with. */
export function emittedMetrics(
  output: CapturedOutput,
): Array<{ name: string; value: unknown; dimensions: Record<string, unknown> }> {
  const metrics: Array<{ name: string; value: unknown; dimensions: Record<string, unknown> }> = [];
  for (const blob of output.records()) {
    const aws = blob._aws as
      { CloudWatchMetrics?: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } | undefined;
    for (const directive of aws?.CloudWatchMetrics ?? []) {
      const dimensionNames = directive.Dimensions.flat();
      const dimensions = Object.fromEntries(dimensionNames.map((name) => [name, blob[name]]));
      for (const metric of directive.Metrics) metrics.push({ name: metric.Name, value: blob[metric.Name], dimensions });
    }
  }
  return metrics;
}
