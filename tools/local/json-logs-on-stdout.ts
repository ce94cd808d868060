/** A JSON log line turned into what to print instead (undefined: print nothing). */
export type LogLineRenderer = (line: Readonly<Record<string, unknown>>) => string | undefined;

/**
 * Powertools Logger prints WARN and ERROR lines through `console.warn` and `console.error`, so to stderr.
 * In Lambda both streams end up in CloudWatch; locally the runner promises every JSON log line on stdout,
 * in order, so that one stream tells the whole story and can be piped to `jq`. Anything else written to
 * stderr (Node's own warnings, stack traces from outside the logger) stays there.
 *
 * With `render` (a terminal, see LOG_FORMAT), every JSON log line on either stream is printed as what `render`
 * makes of it instead; other output passes through untouched.
 */
export function moveJsonLogLinesToStdout(render?: LogLineRenderer): void {
  const writeToStdout = process.stdout.write.bind(process.stdout);
  const writeToStderr = process.stderr.write.bind(process.stderr);
  const intercept = (passThrough: typeof writeToStdout): typeof writeToStdout =>
    ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const write = passThrough as (chunk: string | Uint8Array, ...args: unknown[]) => boolean;
      if (!text.startsWith('{"')) return write(chunk, ...rest);
      if (render === undefined) return (writeToStdout as typeof write)(chunk, ...rest);
      const rendered = text
        .split('\n')
        .filter((piece) => piece.trim() !== '')
        .map((piece) => renderOrKeep(piece, render))
        .filter((piece): piece is string => piece !== undefined);
      const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
      if (rendered.length === 0) {
        callback?.();
        return true;
      }
      return writeToStdout(`${rendered.join('\n')}\n`, callback);
    }) as typeof writeToStdout;
  process.stderr.write = intercept(writeToStderr);
  if (render !== undefined) process.stdout.write = intercept(writeToStdout);
}

function renderOrKeep(piece: string, render: LogLineRenderer): string | undefined {
  let line: Record<string, unknown>;
  try {
    line = JSON.parse(piece) as Record<string, unknown>;
  } catch {
    return piece;
  }
  return render(line);
}
