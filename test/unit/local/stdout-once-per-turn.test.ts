import { Writable } from 'node:stream';
import { writeOncePerTurn } from '../../../tools/local/stdout-once-per-turn';

/** A stream that records each system call it would make: one entry per _write or _writev. */
function recordingStream(): Writable & { readonly calls: string[][] } {
  const calls: string[][] = [];
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      calls.push([chunk]);
      callback();
    },
    writev(chunks, callback) {
      calls.push(chunks.map(({ chunk }) => String(chunk)));
      callback();
    },
  });
  return Object.assign(stream, { calls });
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('writeOncePerTurn', () => {
  it("writes one turn's lines in one call, in order, and a later turn's in another", async () => {
    const stream = recordingStream();
    writeOncePerTurn(stream, () => undefined);
    const written: string[] = [];

    stream.write('a\n', () => written.push('a'));
    stream.write('b\n');
    stream.write('c\n', () => written.push('c'));
    expect(stream.calls).toEqual([]);
    await nextTurn();
    stream.write('d\n');
    await nextTurn();

    expect(stream.calls).toEqual([['a\n', 'b\n', 'c\n'], ['d\n']]);
    expect(written).toEqual(['a', 'c']);
  });

  it('writes what is corked when the process exits', () => {
    const stream = recordingStream();
    let exit = () => {};
    writeOncePerTurn(stream, (flush) => (exit = flush));
    stream.write('last line\n');

    exit();

    expect(stream.calls).toEqual([['last line\n']]);
  });
});
