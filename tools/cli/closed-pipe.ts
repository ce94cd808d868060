/**
 * When the reader of a pipe goes away (`fluent-webhook sign … | head -1`), the next write fails with EPIPE, which
 * Node reports as an unhandled 'error' event: a stack trace and exit 1. A closed pipe is the reader saying it has
 * what it wants, so the command ends quietly with the exit code it has so far. Any other stream error still ends
 * the process, in one line.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    try {
      process.stderr.write(`fluent-webhook: cannot write output: ${error.message}\n`);
    } finally {
      process.exit(1);
    }
  });
}
