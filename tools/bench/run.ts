import { cpus } from 'node:os';
import type { BenchReport } from './bench';
import { BENCHES } from './registry';

/**
 * `npm run bench [-- name ...]`: runs every benchmark (or the named ones) and prints one table each.
 * Numbers are printed, not stored: paste them where they are needed, with the machine line printed first.
 */
// The SDK's notice that releases after January 2027 need Node 22 is noise in bench output (the Lambdas run Node 24).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(names: readonly string[]): Promise<number> {
  const unknown = names.filter((name) => !BENCHES.some((bench) => bench.name === name));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.map((bench) => bench.name).join(', ')}.`);
    return 2;
  }
  const selected = names.length === 0 ? BENCHES : BENCHES.filter((bench) => names.includes(bench.name));
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} x ${cpu}\n`);
  for (const bench of selected) {
    const started = Date.now();
    const report = await bench.run();
    console.log(formatReport(bench.name, report));
    console.log(`  (${bench.name} took ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
  return 0;
}

export function formatReport(name: string, report: BenchReport): string {
  const header = ['', ...report.columns];
  const cells = report.rows.map((row) => [row.label, ...row.values.map(formatValue)]);
  const widths = header.map((_, column) => Math.max(...[header, ...cells].map((line) => (line[column] ?? '').length)));
  const line = (values: readonly string[]) =>
    `  ${values.map((value, column) => (column === 0 ? value.padEnd(widths[0] ?? 0) : value.padStart(widths[column] ?? 0))).join('  ')}`;
  return [
    `${name}: ${report.title}`,
    line(header),
    ...cells.map(line),
    ...report.notes.map((note) => `  - ${note}`),
  ].join('\n');
}

function formatValue(value: number | string): string {
  if (typeof value === 'string') return value;
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
