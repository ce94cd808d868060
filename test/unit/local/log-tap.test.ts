import { tapJsonLogLines } from '../../../tools/local/inspector/log-tap';

/** A stream that records what reaches it, as process.stdout would print it. */
function recordingStream(): NodeJS.WriteStream & { readonly written: string[] } {
  const written: string[] = [];
  return {
    written,
    write(chunk: string | Uint8Array) {
      written.push(String(chunk));
      return true;
    },
  } as unknown as NodeJS.WriteStream & { readonly written: string[] };
}

const line = (fields: Record<string, unknown>) => `${JSON.stringify({ level: 'INFO', ...fields })}\n`;

describe('tapJsonLogLines', () => {
  it('gives back the lines naming an id, parsed, oldest first, and passes every write through unchanged', () => {
    const stream = recordingStream();
    const tap = tapJsonLogLines([stream]);
    const writes = [
      line({ message: 'webhook processed', eventId: 'e-1', requestId: 'r-1' }),
      line({ message: 'webhook processed', eventId: 'e-10' }),
      'plain text naming e-1\n',
      line({ message: 'order status changed', eventId: 'e-1' }) + line({ message: 'other', requestId: 'r-2' }),
    ];
    for (const write of writes) stream.write(write);

    expect(tap.linesFor({ eventId: 'e-1' }).map((logged) => logged.message)).toEqual([
      'webhook processed',
      'order status changed',
    ]);
    expect(tap.linesFor({ eventId: 'e-9', requestId: 'r-2' }).map((logged) => logged.message)).toEqual(['other']);
    expect(stream.written).toEqual(writes);
    tap.stop();
  });

  it('finds an id that JSON escapes, and never gives back a line cut at its length limit', () => {
    const stream = recordingStream();
    const tap = tapJsonLogLines([stream]);
    stream.write(line({ message: 'quoted', eventId: 'say "hi"\\' }));
    stream.write(line({ message: 'too long', eventId: 'e-2', detail: 'x'.repeat(9000) }));

    expect(tap.linesFor({ eventId: 'say "hi"\\' }).map((logged) => logged.message)).toEqual(['quoted']);
    expect(tap.linesFor({ eventId: 'e-2' })).toEqual([]);
    tap.stop();
  });

  it('keeps only the last lines, and stops tapping when stopped', () => {
    const stream = recordingStream();
    const tap = tapJsonLogLines([stream], 3);
    for (let index = 0; index < 5; index += 1) stream.write(line({ message: `line ${index}`, requestId: 'r-1' }));

    expect(tap.linesFor({ requestId: 'r-1' }).map((logged) => logged.message)).toEqual(['line 2', 'line 3', 'line 4']);
    tap.stop();
    stream.write(line({ message: 'after stop', requestId: 'r-1' }));
    expect(tap.linesFor({ requestId: 'r-1' })).toHaveLength(3);
  });
});
