import type { Writable } from 'node:stream';

/**
 * Makes what is written to `stream` in one turn of the event loop reach it in one system call instead of one per
 * write: the stream is corked at the first write of a turn and uncorked once the turn's callbacks have run
 * (setImmediate). Lines keep their order and their callbacks. The runner writes about four JSON lines per webhook
 * (the door's decision and metrics, the handler's line, the consumer's decision), each a blocking write to a pipe
 * or terminal that also wakes whatever reads it; a busy runner now writes a turn's lines together.
 *
 * Whatever is still corked when the process exits is written then (stdout's writes to a pipe, file or terminal are
 * synchronous). Only a SIGKILL can take the lines of the turn it interrupts, as it can take the lines a reader has
 * not read yet.
 */
export function writeOncePerTurn(
  stream: Writable & { write: Writable['write'] },
  atExit: (flush: () => void) => void = (flush) => process.once('exit', flush),
): void {
  let corked = false;
  const uncork = (): void => {
    if (!corked) return;
    corked = false;
    stream.uncork();
  };
  const write = stream.write;
  stream.write = function writeInThisTurn(this: Writable, ...args: Parameters<Writable['write']>): boolean {
    if (!corked) {
      corked = true;
      stream.cork();
      setImmediate(uncork);
    }
    return (write as (...rest: unknown[]) => boolean).apply(this, args);
  } as Writable['write'];
  atExit(uncork);
}
