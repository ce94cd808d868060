/**
 * Powertools Logger prints WARN and ERROR lines through `console.warn` and `console.error`, so to stderr.
 * In Lambda both streams end up in CloudWatch; locally the runner promises every JSON log line on stdout,
 * in order, so that one stream tells the whole story and can be piped to `jq`. Anything else written to
 * stderr (Node's own warnings, stack traces from outside the logger) stays there.
 */
export function moveJsonLogLinesToStdout(): void {
  const writeToStderr = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const write = text.startsWith('{"') ? process.stdout.write.bind(process.stdout) : writeToStderr;
    return (write as (chunk: string | Uint8Array, ...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
}
