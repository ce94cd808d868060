import { BoundedRing } from './bounded-ring';

/**
 * The runner's JSON log lines that name an event (the consumer's decision lines, the handler's own lines through
 * `context.logger`), kept per run in a bounded ring so the inspector can show them beside the event. Transient by
 * design: the history keeps outcomes, not logs; a restart starts empty.
 */
export const LOG_LINES_KEPT = 2000;
/** A line longer than this is kept cut (the runner's lines are bounded anyway). */
const LINE_CHARS = 8 * 1024;

export interface LogTap {
  /** Lines that name any of these ids (same field), oldest first. */
  linesFor(ids: { eventId?: string; requestId?: string; messageId?: string }): Array<Record<string, unknown>>;
  stop(): void;
}

/**
 * Taps both streams: Powertools prints WARN and ERROR lines (a failed handler's decision line, a retried Fluent call)
 * to stderr, and the runner moves them to stdout only after this tap has seen them as JSON (and on a terminal
 * renders them), so each stream is read before anything rewrites it.
 */
export function tapJsonLogLines(
  streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr],
  kept = LOG_LINES_KEPT,
): LogTap {
  // The text as written: a line is parsed only when the inspector asks for it, not on the runner's every write.
  const lines = new BoundedRing<string>(kept);
  const restores = streams.map((stream) => {
    const write = stream.write;
    stream.write = function tapped(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      for (const line of text.split('\n')) {
        if (line.startsWith('{"') && NAMES_AN_ID.test(line)) lines.add(line.slice(0, LINE_CHARS));
      }
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
    return () => {
      stream.write = write;
    };
  });
  return {
    linesFor: (ids) => {
      const wanted = Object.entries(ids).filter((entry): entry is [string, string] => entry[1] !== undefined);
      // Each id as it appears inside a JSON string (the logger writes JSON.stringify's text).
      const inText = wanted.map(([, id]) => JSON.stringify(id).slice(1, -1));
      return (
        lines
          .all()
          // Only a line that holds one of the ids can name it: the rest are not parsed.
          .filter((line) => inText.some((id) => line.includes(id)))
          .map(parsedOrUndefined)
          .filter(
            (line): line is Record<string, unknown> =>
              line !== undefined && wanted.some(([field, id]) => line[field] === id),
          )
      );
    },
    stop: () => restores.forEach((restore) => restore()),
  };
}

const NAMES_AN_ID = /"(eventId|requestId|messageId)"/;

/** A cut or partial line is not shown. */
function parsedOrUndefined(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
