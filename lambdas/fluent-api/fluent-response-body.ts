/**
 * The most the client reads of one answer: 10 MiB. Fluent's own answers (an event, a page of events, a GraphQL
 * result) are far smaller, and the consumer Lambda has 512 MB for the whole batch: read, decoded and parsed, one
 * answer at this limit costs a few tens of MB, so even a batch of ten calls hit by a hostile or broken server at
 * once stays well inside it. Past the limit the read stops and the connection is closed.
 */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** An answer's body outgrew {@link MAX_RESPONSE_BYTES} (or said it would, in `content-length`). */
export class ResponseTooLarge extends Error {
  public constructor(
    public readonly limitBytes: number,
    /** The status of the answer whose body it was. */
    public readonly status: number,
  ) {
    super(`the answer (${status}) is larger than ${limitBytes} bytes`);
    this.name = 'ResponseTooLarge';
  }
}

/**
 * Reads a body chunk by chunk, counting, and cancels the stream (closing the connection) once it passes `limit`:
 * an endless body costs at most `limit` bytes. The fetch's abort signal ends a body that arrives too slowly.
 * Resolves with the parsed JSON, else the text; undefined when empty.
 */
export async function readBoundedBody(response: Response, limit: number = MAX_RESPONSE_BYTES): Promise<unknown> {
  const declared = Number(response.headers.get('content-length') ?? '');
  if (response.body === null) return undefined;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const stop = async (): Promise<never> => {
    await reader.cancel().catch(() => undefined);
    throw new ResponseTooLarge(limit, response.status);
  };
  if (declared > limit) return stop();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) return stop();
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Drops a body the client will not read (a redirect's), closing the connection rather than draining it. */
export async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
